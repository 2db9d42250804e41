package io.webrtcgw.source;

/**
 * Something that produces pictures: a file, a camera, a test pattern. Sources know nothing of
 * WebRTC or viewers; a stream starts one when its first viewer arrives and stops it after the last
 * one leaves. Frames go to the sink on a thread the source owns, and the source never waits for the
 * sink.
 */
public interface VideoSource extends AutoCloseable {

  /** Short kind name as shown in the API: {@code pattern}, {@code file}, {@code camera}, {@code rtsp}, {@code mjpeg}. */
  String kind();

  /** Nominal format; a source that has not opened yet reports what it expects to produce. */
  VideoFormat format();

  /** Current state. */
  SourceState state();

  /** The last error a person can act on, or null; never holds a password. */
  String lastError();

  /** What the source counts about itself; one instance for the source's whole life. */
  SourceMeter meter();

  /** Whether the source decodes H.264 (in the gateway's decoder processes). */
  default boolean decodesH264() {
    return false;
  }

  /**
   * Starts producing frames into {@code sink}. Idempotent while running. Problems that appear later
   * (end of file, camera unplugged) are reported through {@link #state()} and {@link #lastError()}
   * and to the listener, never thrown from the source thread.
   */
  void start(FrameSink sink, SourceListener listener);

  /** Stops producing and joins the source thread. Idempotent; the source can be started again. */
  void stop();

  /** Stops and frees everything for good. */
  @Override
  void close();
}
