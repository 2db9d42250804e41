package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.fail;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.pattern.FrameStamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records what a source emits: each frame's stamp, size, capture time and arrival time, and each
 * state change, so tests can wait for them with timeouts instead of sleeping.
 */
final class FrameRecorder implements FrameSink, SourceListener {
  /** One emitted frame, reduced to what tests check. */
  record Seen(int number, int width, int height, long captureMicros, long arrivalNanos, I420Frame frame) {}

  /** One state change as the listener heard it. */
  record Change(SourceState state, String error) {}

  private final boolean keepFrames;
  private final List<Seen> frames = new ArrayList<>();
  private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

  FrameRecorder(boolean keepFrames) {
    this.keepFrames = keepFrames;
  }

  @Override
  public void onFrame(I420Frame frame) {
    long now = System.nanoTime();
    int width = frame.width();
    java.nio.ByteBuffer y = frame.yPlane();
    FrameStamp stamp = FrameStamp.read((x, row) -> y.get(row * width + x) & 0xFF, width, frame.height());
    Seen seen = new Seen(stamp.frameNumber(), width, frame.height(), frame.captureTimeMicros(), now,
        keepFrames ? frame.detached() : null);
    synchronized (this) {
      frames.add(seen);
      notifyAll();
    }
  }

  @Override
  public void onStateChange(SourceState state, String error) {
    changes.add(new Change(state, error));
  }

  synchronized List<Seen> frames() {
    return List.copyOf(frames);
  }

  synchronized int count() {
    return frames.size();
  }

  /** Waits until at least {@code n} frames have arrived and returns the first {@code n}. */
  List<Seen> awaitFrames(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (frames.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("only " + frames.size() + " of " + n + " frames within " + timeout.toMillis() + " ms");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return List.copyOf(frames.subList(0, n));
    }
  }

  /** Waits for the next state change other than RUNNING, failing after {@code timeout}. */
  Change awaitEnd(Duration timeout) throws InterruptedException {
    Change change = nextEnd(timeout);
    if (change == null) {
      fail("the source neither ended nor failed within " + timeout.toMillis() + " ms");
    }
    return change;
  }

  /** The next state change other than RUNNING, or null if none comes within {@code timeout}. */
  Change nextEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Change change = changes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (change == null || change.state() != SourceState.RUNNING) {
        return change;
      }
    }
  }

  List<Change> changes() {
    return List.copyOf(changes);
  }
}
