package io.webrtcgw.source.rtsp;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.pattern.FrameStamp;
import io.webrtcgw.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records what a source emits (each frame's size, stamp and times) and its state changes. */
final class Recorder implements FrameSink, SourceListener {
  record Seen(int number, int width, int height, long captureMicros, long arrivalNanos, long deliveredNanos) {}

  record Change(SourceState state, String error) {}

  private final List<Seen> frames = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();

  @Override
  public void onFrame(I420Frame frame) {
    long now = System.nanoTime();
    int width = frame.width();
    byte[] y = frame.y();
    FrameStamp stamp = FrameStamp.read((x, row) -> y[row * width + x] & 0xFF, width, frame.height());
    synchronized (this) {
      frames.add(new Seen(stamp.frameNumber(), width, frame.height(), frame.captureTimeMicros(),
          frame.arrivalNanos(), now));
    }
  }

  @Override
  public synchronized void onStateChange(SourceState state, String error) {
    changes.add(new Change(state, error));
  }

  synchronized int count() {
    return frames.size();
  }

  synchronized List<Seen> frames() {
    return List.copyOf(frames);
  }

  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  synchronized Change lastChange() {
    return changes.isEmpty() ? null : changes.get(changes.size() - 1);
  }

  /** Waits until {@code n} more frames than now have arrived; returns them. */
  List<Seen> awaitMore(int n, Duration timeout) {
    int from = count();
    Await.until(() -> "frames: " + (count() - from) + " of " + n + " more; changes " + changes(),
        () -> count() >= from + n, timeout);
    return frames().subList(from, from + n);
  }

  /** Waits for a state change to {@code state}; returns its error. */
  Change awaitState(SourceState state, Duration timeout) {
    Await.until(() -> "state " + state + "; changes so far " + changes(),
        () -> changes().stream().anyMatch(c -> c.state() == state), timeout);
    return changes().stream().filter(c -> c.state() == state).reduce((a, b) -> b).orElseThrow();
  }
}
