package io.webrtcgw.media;

import io.webrtcgw.source.I420Frame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The current picture of a stream without a WebRTC session. A running source gives its latest
 * frame at once. An idle one (nobody watching, not always-on) is started by a viewer-less hold until
 * its first frame arrives or the wait runs out, then let go: its last frame from an earlier run
 * would be stale.
 */
public final class Snapshots {
  private final Duration timeout;
  private final Executor releases;

  /**
   * @param timeout how long to wait for an idle source's first frame
   * @param releases where holds are let go: stopping a source joins its thread, so it cannot happen
   *     on that thread, where the frame arrives
   */
  public Snapshots(Duration timeout, Executor releases) {
    this.timeout = timeout;
    this.releases = releases;
  }

  /**
   * Completes with a current frame, or fails with {@link SnapshotUnavailableException} saying why.
   * Completion may happen on the source's thread.
   */
  public CompletableFuture<I420Frame> frame(LiveStream stream) {
    if (stream.sourceRunning()) {
      I420Frame latest = stream.latestFrame();
      if (latest != null) {
        return CompletableFuture.completedFuture(latest);
      }
    }
    LiveStream.Hold hold;
    try {
      hold = stream.hold();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(new SnapshotUnavailableException(e.getMessage()));
    }
    return stream.nextFrame()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((frame, error) -> hold.close(), releases)
        .exceptionallyCompose(error -> CompletableFuture.failedFuture(unavailable(stream, error)));
  }

  private Throwable unavailable(LiveStream stream, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (!(cause instanceof TimeoutException)) {
      return cause;
    }
    String lastError = stream.source().lastError();
    return new SnapshotUnavailableException("stream '" + stream.name() + "' has no picture yet: its "
        + stream.source().kind() + " source produced no frame within " + timeout.toMillis() + " ms (state "
        + stream.source().state().json() + (lastError == null ? "" : ", " + lastError) + ")");
  }

  /** No picture can be had now; the message says why. */
  public static final class SnapshotUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SnapshotUnavailableException(String message) {
      super(message);
    }
  }
}
