package io.webrtcgw.rtc;

import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.internal.NativeObject;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the native reference that webrtc-java 0.14.0 takes on objects it hands out and never gives
 * back.
 *
 * <p>{@code RTCPeerConnection.close()} in 0.14.0 calls {@code Close()} on the native peer connection
 * and forgets its pointer, but never {@code Release()}s the reference taken when it was created
 * (fixed upstream only after 0.15.0). The whole closed connection - its call, encoders' leftovers,
 * stats collector and its hold on the factory - stays alive: about 1 MB per session, and the factory
 * can never be disposed. The library's only public path to a native {@code Release()} on a foreign
 * object is {@code MediaStreamTrack.dispose()}, which calls it through the primary {@code
 * RefCountInterface} vtable that every refcounted libwebrtc interface shares; so the pointer is
 * taken before {@code close()} and released through a handle-only {@link VideoTrack} shell.
 */
public final class NativeRelease {
  private static final Logger log = LoggerFactory.getLogger(NativeRelease.class);
  /**
   * The one webrtc-java version whose leaks and object layout this class was written against and
   * tested on. Another version may have fixed the leak (a second release would then free a live
   * object) or moved the handle: it must be reviewed, not guessed at.
   */
  static final String FOR_VERSION = "0.14.0";
  private static final Field HANDLE = handleField();

  private NativeRelease() {}

  /**
   * Closes a peer connection and frees it. Its senders' tracks should have been removed first so
   * that the shared tracks are no longer referenced by it.
   */
  public static void closePeerConnection(RTCPeerConnection pc) {
    long handle = handleOf(pc);
    pc.close();
    releaseClosedPeerConnection(handle);
  }

  /**
   * Drops the reference that webrtc-java 0.14.0 takes, and never gives back, on an object it
   * returns from {@code addTrack} (an {@code RTCRtpSender}) or {@code addTransceiver} (an {@code
   * RTCRtpTransceiver}); the Java object is unusable afterwards. Call it once the peer connection
   * is closed, off libwebrtc's threads: the last reference destroys the object on the signaling
   * thread and waits for it.
   */
  public static void release(NativeObject object) {
    long handle = handleOf(object);
    if (handle == 0) {
      return;
    }
    try {
      HANDLE.setLong(object, 0);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot write webrtc-java native handle", e);
    }
    releaseClosedPeerConnection(handle);
  }

  /** The native pointer behind a webrtc-java object, or 0 if it was already let go. */
  static long handleOf(NativeObject object) {
    try {
      return HANDLE.getLong(object);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read webrtc-java native handle", e);
    }
  }

  /**
   * Drops one native reference of a closed peer connection whose pointer was read with {@link
   * #handleOf} before {@code close()}.
   */
  static void releaseClosedPeerConnection(long pointer) {
    if (pointer == 0) {
      return;
    }
    VideoTrack shell = shell();
    try {
      HANDLE.setLong(shell, pointer);
      shell.dispose();
    } catch (Error e) {
      // dispose() throws when references remain (e.g. a stats request in flight holds one); that
      // reference is dropped by its owner later, so the object is still freed in time.
      log.debug("peer connection released with references still held: {}", e.getMessage());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot write webrtc-java native handle", e);
    } finally {
      try {
        HANDLE.setLong(shell, 0);
      } catch (IllegalAccessException ignored) {
        // cannot happen: the field was made accessible above
      }
    }
  }

  private static VideoTrack shell() {
    try {
      // VideoTrack's private constructor only sets up Java fields; the shell carries the handle
      // for the one dispose() call and owns nothing else.
      Constructor<VideoTrack> constructor = VideoTrack.class.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create a native release shell", e);
    }
  }

  /** The webrtc-java version on the class path, from its Maven metadata, or null if it has none. */
  static String webrtcJavaVersion() {
    try (InputStream in = NativeObject.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/dev.onvoid.webrtc/webrtc-java/pom.properties")) {
      if (in == null) {
        return null;
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Fails loudly unless the class path holds the webrtc-java version this class applies to; the
   * gateway calls it once at start-up, before any session.
   */
  public static void checkVersion() {
    checkVersion(webrtcJavaVersion());
  }

  static void checkVersion(String found) {
    if (!FOR_VERSION.equals(found)) {
      throw new IllegalStateException("NativeRelease frees what webrtc-java " + FOR_VERSION + " leaks, but the class path"
          + " holds webrtc-java " + (found == null ? "of an unknown version" : found)
          + ": review rtc/NativeRelease (and the leak tests in rtc/ChurnTest) for that version before running the gateway");
    }
  }

  private static Field handleField() {
    try {
      Field field = NativeObject.class.getDeclaredField("nativeHandle");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(
          "webrtc-java changed its NativeObject layout; review NativeRelease for this version");
    }
  }
}
