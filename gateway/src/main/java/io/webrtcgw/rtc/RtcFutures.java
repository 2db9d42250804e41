package io.webrtcgw.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** libwebrtc's callback-style calls as futures, awaited with a bound. */
public final class RtcFutures {
  private RtcFutures() {}

  public static void setRemote(RTCPeerConnection pc, RTCSessionDescription description, Duration timeout)
      throws RtcCallException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    String what = "apply the " + kind(description);
    call(what, () -> pc.setRemoteDescription(description, observer(done)));
    await(done, what, timeout);
  }

  public static void setLocal(RTCPeerConnection pc, RTCSessionDescription description, Duration timeout)
      throws RtcCallException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    String what = "apply the " + kind(description);
    call(what, () -> pc.setLocalDescription(description, observer(done)));
    await(done, what, timeout);
  }

  private static String kind(RTCSessionDescription description) {
    return description.sdpType == RTCSdpType.OFFER ? "offer" : "answer";
  }

  public static RTCSessionDescription createAnswer(RTCPeerConnection pc, Duration timeout) throws RtcCallException {
    CompletableFuture<RTCSessionDescription> done = new CompletableFuture<>();
    call("create the answer", () -> pc.createAnswer(new RTCAnswerOptions(), created(done)));
    return await(done, "create the answer", timeout);
  }

  /** An offer; {@code iceRestart} gives it new ICE credentials. */
  public static RTCSessionDescription createOffer(RTCPeerConnection pc, boolean iceRestart, Duration timeout)
      throws RtcCallException {
    CompletableFuture<RTCSessionDescription> done = new CompletableFuture<>();
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = iceRestart;
    call("create the offer", () -> pc.createOffer(options, created(done)));
    return await(done, "create the offer", timeout);
  }

  /**
   * Runs a synchronous webrtc-java call. Its JNI layer reports native failures (an unparseable SDP,
   * a closed connection) as {@link Error}s, which are expected here and become a checked failure.
   */
  public static void call(String what, Runnable nativeCall) throws RtcCallException {
    try {
      nativeCall.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw new RtcCallException("could not " + what + ": " + e.getMessage());
    }
  }

  private static CreateSessionDescriptionObserver created(CompletableFuture<RTCSessionDescription> done) {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        done.complete(description);
      }

      @Override
      public void onFailure(String error) {
        done.completeExceptionally(new RtcCallException(error));
      }
    };
  }

  private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        done.complete(null);
      }

      @Override
      public void onFailure(String error) {
        done.completeExceptionally(new RtcCallException(error));
      }
    };
  }

  private static <T> T await(CompletableFuture<T> future, String what, Duration timeout)
      throws RtcCallException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String reason = e.getCause() == null ? "unknown error" : e.getCause().getMessage();
      throw new RtcCallException("could not " + what + ": " + reason);
    } catch (TimeoutException e) {
      throw new RtcCallException("libwebrtc did not " + what + " within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RtcCallException("interrupted while waiting to " + what);
    }
  }

  /** A libwebrtc call failed; the message says which and why. */
  public static final class RtcCallException extends Exception {
    private static final long serialVersionUID = 1L;

    RtcCallException(String message) {
      super(message);
    }
  }
}
