package io.webrtcgw.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** libwebrtc's callback-style calls as futures, awaited with a bound. */
final class RtcFutures {
  private RtcFutures() {}

  static void setRemote(RTCPeerConnection pc, RTCSessionDescription description, Duration timeout)
      throws RtcCallException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    call("apply the offer", () -> pc.setRemoteDescription(description, observer(done)));
    await(done, "apply the offer", timeout);
  }

  static void setLocal(RTCPeerConnection pc, RTCSessionDescription description, Duration timeout)
      throws RtcCallException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    call("apply the answer", () -> pc.setLocalDescription(description, observer(done)));
    await(done, "apply the answer", timeout);
  }

  static RTCSessionDescription createAnswer(RTCPeerConnection pc, Duration timeout) throws RtcCallException {
    CompletableFuture<RTCSessionDescription> done = new CompletableFuture<>();
    call("create the answer", () -> pc.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        done.complete(description);
      }

      @Override
      public void onFailure(String error) {
        done.completeExceptionally(new RtcCallException(error));
      }
    }));
    return await(done, "create the answer", timeout);
  }

  /**
   * Runs a synchronous webrtc-java call. Its JNI layer reports native failures (an unparseable SDP,
   * a closed connection) as {@link Error}s, which are expected here and become a checked failure.
   */
  static void call(String what, Runnable nativeCall) throws RtcCallException {
    try {
      nativeCall.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw new RtcCallException("could not " + what + ": " + e.getMessage());
    }
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
  static final class RtcCallException extends Exception {
    private static final long serialVersionUID = 1L;

    RtcCallException(String message) {
      super(message);
    }
  }
}
