package io.webrtcgw.source.file;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.JCodecLogBridge;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.source.h264.UnsupportedStreamException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Plays the H.264 video of an MP4/MOV file in real time at its own timestamps, decoded by JCodec. */
public final class FileSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);
  private final SourceMeter meter = new SourceMeter();
  /** Later than this, a frame moves the timeline instead of rushing the frames after it out. */
  static final long MAX_LATENESS_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  /**
   * How a file plays.
   *
   * @param loop start again at the end (seamlessly), or play once and end
   * @param openTimeout how long checking the file when opening may take
   * @param frameBudget how long decoding one frame may take before the file counts as damaged
   * @param maxFailedFrames how many frames in a row may fail to decode before playback fails
   */
  public record Options(boolean loop, Duration openTimeout, Duration frameBudget, int maxFailedFrames) {
    public static final Options DEFAULT = new Options(true, Duration.ofSeconds(10), Duration.ofSeconds(3), 25);

    public Options {
      if (openTimeout.isNegative() || openTimeout.isZero() || frameBudget.isNegative() || frameBudget.isZero()) {
        throw new IllegalArgumentException("file source time limits must be positive");
      }
      if (maxFailedFrames < 1) {
        throw new IllegalArgumentException("maxFailedFrames must be at least 1: " + maxFailedFrames);
      }
    }

    public Options withLoop(boolean loop) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames);
    }

    public Options withFrameBudget(Duration frameBudget) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames);
    }

    public Options withOpenTimeout(Duration openTimeout) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames);
    }
  }

  /** Examines a file before it is played; {@link Mp4Probe#probe} outside tests. */
  @FunctionalInterface
  interface Probe {
    ClipInfo probe(Path file) throws SourceException;
  }

  private final String name;
  private final ClipInfo clip;
  private final Options options;
  private final Clock clock;
  private final StreamDecoder.Factory decoders;
  private final AtomicLong catchUps = new AtomicLong();
  private final Object lock = new Object();
  private Playback current;
  private boolean closed;
  private volatile SourceState state = SourceState.IDLE;
  private volatile String lastError;

  private FileSource(String name, ClipInfo clip, Options options, Clock clock, StreamDecoder.Factory decoders) {
    this.name = name;
    this.clip = clip;
    this.options = options;
    this.clock = clock;
    this.decoders = decoders;
    meter.codec("h264");
  }

  /**
   * Opens {@code file} for the stream {@code streamName}, checking within {@code
   * options.openTimeout()} that it is an MP4/MOV with a playable H.264 video track; its frames
   * are decoded by {@code decoders} (a {@link io.webrtcgw.source.h264.DecoderSandbox}).
   *
   * @throws SourceException naming the file and the reason it cannot be played
   */
  public static FileSource open(String streamName, Path file, Options options, Clock clock,
      StreamDecoder.Factory decoders) throws SourceException {
    return open(streamName, file, options, clock, Mp4Probe::probe, decoders);
  }

  static FileSource open(
      String streamName, Path file, Options options, Clock clock, Probe probe, StreamDecoder.Factory decoders)
      throws SourceException {
    JCodecLogBridge.install();
    FutureTask<ClipInfo> task = new FutureTask<>(() -> probe.probe(file));
    // The probe runs apart so that a file on a hung network mount cannot hold up the caller.
    Thread thread = new Thread(task, "file-" + streamName + "-probe");
    thread.setDaemon(true);
    thread.start();
    ClipInfo clip;
    try {
      clip = task.get(options.openTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      throw new SourceException(String.format(
          "file '%s' could not be examined within %d ms; is it on a slow or unreachable drive?",
          file, options.openTimeout().toMillis()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SourceException cause) {
        throw cause;
      }
      throw new SourceException("file '" + file + "' could not be examined: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      task.cancel(true);
      Thread.currentThread().interrupt();
      throw new SourceException("file '" + file + "': interrupted while opening it");
    }
    log.info("file {} for stream '{}': {}", file, streamName, clip.describe());
    return new FileSource(streamName, clip, options, clock, decoders);
  }

  @Override
  public String kind() {
    return "file";
  }

  @Override
  public VideoFormat format() {
    return clip.format();
  }

  @Override
  public boolean decodesH264() {
    return true;
  }

  @Override
  public SourceMeter meter() {
    return meter;
  }

  @Override
  public SourceState state() {
    return state;
  }

  @Override
  public String lastError() {
    return lastError;
  }

  /** The file being played. */
  public Path file() {
    return clip.file();
  }

  /** How often decoding fell so far behind real time that playback moved its timeline, since open. */
  long catchUps() {
    return catchUps.get();
  }

  @Override
  public void start(FrameSink sink, SourceListener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("file source '" + name + "' is closed");
      }
      if (current != null && current.active) {
        return;
      }
      current = new Playback(sink, listener);
      state = SourceState.RUNNING;
      lastError = null;
      current.thread.start();
    }
  }

  @Override
  public void stop() {
    Playback playback;
    synchronized (lock) {
      playback = current;
      current = null;
      if (playback == null) {
        return;
      }
      playback.active = false;
    }
    // A decode in progress is waited for in a way that an interrupt ends (its process with it).
    playback.thread.interrupt();
    long patience = options.frameBudget().toMillis() + 2000;
    try {
      playback.thread.join(patience);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (playback.thread.isAlive()) {
      log.warn("file source '{}': decoding thread did not stop within {} ms", name, patience);
    }
    synchronized (lock) {
      if (current == null && state == SourceState.RUNNING) {
        state = SourceState.IDLE;
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    stop();
  }

  /**
   * Ends {@code playback} in {@code endState} unless it was stopped or ended already, and tells its
   * listener. Returns false if it had already finished.
   */
  private boolean finish(Playback playback, SourceState endState, String error) {
    synchronized (lock) {
      if (!playback.active) {
        return false;
      }
      playback.active = false;
      if (current == playback) {
        state = endState;
        lastError = error;
      }
    }
    notifyListener(playback, endState, error);
    return true;
  }

  private void notifyListener(Playback playback, SourceState newState, String error) {
    try {
      playback.listener.onStateChange(newState, error);
    } catch (RuntimeException e) {
      log.warn("file source '{}': listener failed on {}", name, newState, e);
    }
  }

  /** One run from start to stop, end or failure: its thread, sink and listener. */
  private final class Playback {
    final FrameSink sink;
    final SourceListener listener;
    final Thread thread;
    volatile boolean active = true;

    Playback(FrameSink sink, SourceListener listener) {
      this.sink = sink;
      this.listener = listener;
      this.thread = new Thread(this::run, "file-" + name);
      this.thread.setDaemon(true);
    }

    private void run() {
      if (active) {
        notifyListener(this, SourceState.RUNNING, null);
      }
      StreamDecoder.Spec spec = new StreamDecoder.Spec(name, clip.rotation(), clip.avcC().getSpsList(),
          clip.avcC().getPpsList(), options.frameBudget());
      try (StreamDecoder decoder = decoders.open(spec); ClipReader reader = new ClipReader(clip, decoder)) {
        new Presenter(this, reader).play();
      } catch (IOException e) {
        String error = "file '" + clip.file() + "' cannot be read: " + e.getMessage();
        if (finish(this, SourceState.FAILED, error)) {
          log.error("file source '{}': {}", name, error);
        }
      } catch (Throwable t) {
        String error = "file '" + clip.file() + "' stopped playing unexpectedly: " + t;
        if (finish(this, SourceState.FAILED, error)) {
          log.error("file source '{}': {}", name, error, t);
        }
      }
    }
  }

  /** Decodes, reorders and paces the frames of one run. Lives on the run's thread. */
  private final class Presenter {
    private final Playback playback;
    private final ClipReader reader;
    private final PriorityQueue<DecodedPicture> reorder =
        new PriorityQueue<>(Comparator.comparingLong(DecodedPicture::pts));
    private final long startNanos = System.nanoTime();
    private final long startMicros = micros(clock.instant());
    /** Presentation time zero on the System.nanoTime axis; moves only when decoding falls behind. */
    private long originNanos = startNanos;
    private long pass;
    private long lastPts = Long.MIN_VALUE;
    private boolean warnedLate;
    private boolean sinkFailed;

    Presenter(Playback playback, ClipReader reader) {
      this.playback = playback;
      this.reader = reader;
    }

    void play() throws IOException {
      int failedInRow = 0;
      boolean awaitKeyFrame = false;
      boolean decodedThisPass = false;
      while (playback.active) {
        ClipReader.Sample sample = reader.next();
        if (sample == null) {
          if (!drain()) {
            return;
          }
          if (!decodedThisPass) {
            // Without a picture nothing waits for its time, so going round again would spin.
            fail("is damaged: not one of its " + clip.samples().count() + " video frames could be decoded");
            return;
          }
          if (!options.loop()) {
            if (finish(playback, SourceState.ENDED, null)) {
              log.info("file source '{}': played {} to the end", name, clip.file());
            }
            return;
          }
          reader.rewind();
          pass++;
          lastPts = Long.MIN_VALUE;
          decodedThisPass = false;
          continue;
        }
        if (awaitKeyFrame && !sample.sync()) {
          continue;
        }
        DecodedPicture picture;
        meter.received(sample.data().remaining());
        long began = System.nanoTime();
        try {
          picture = reader.decode(sample);
          meter.decoded(System.nanoTime() - began);
        } catch (DecodeException.Overrun e) {
          if (!playback.active) {
            return; // stopped while decoding: the interrupt ended the decode
          }
          fail(String.format("is probably damaged: decoding frame %d took longer than %d ms, so playback stopped",
              sample.index(), options.frameBudget().toMillis()));
          return;
        } catch (UnsupportedStreamException e) {
          fail("cannot be played: " + e.getMessage());
          return;
        } catch (DecodeException | RuntimeException e) {
          if (!playback.active) {
            return;
          }
          failedInRow++;
          awaitKeyFrame = true;
          reader.resetDecoder();
          if (failedInRow == 1) {
            log.warn("file source '{}': frame {} of {} cannot be decoded ({}); skipping to the next key frame",
                name, sample.index(), clip.file(), e.toString());
          }
          if (failedInRow >= options.maxFailedFrames()) {
            fail(String.format(
                "is damaged: %d frames in a row could not be decoded (the last, frame %d: %s)",
                failedInRow, sample.index(), e));
            return;
          }
          continue;
        }
        failedInRow = 0;
        awaitKeyFrame = false;
        if (picture != null) {
          decodedThisPass = true;
          reorder.add(picture);
          while (reorder.size() > clip.reorderDepth()) {
            if (!present(reorder.poll())) {
              return;
            }
          }
        }
      }
    }

    private boolean drain() {
      while (!reorder.isEmpty()) {
        if (!present(reorder.poll())) {
          return false;
        }
      }
      return true;
    }

    /** Waits until the picture's time, then hands it out. Returns false once the run is over. */
    private boolean present(DecodedPicture picture) {
      if (picture.pts() <= lastPts) {
        // Only damage that broke the decode order gets here; a frame shown twice or backwards is
        // worse than a gap.
        log.debug("file source '{}': dropping out-of-order frame at pts {}", name, picture.pts());
        return true;
      }
      lastPts = picture.pts();
      SampleTable samples = clip.samples();
      long ticks = pass * samples.spanTicks() + (picture.pts() - samples.firstPts());
      long due = originNanos + clip.ticksToNanos(ticks);
      long wait;
      while (playback.active && (wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, wait);
      }
      if (!playback.active) {
        return false;
      }
      long late = System.nanoTime() - due;
      if (late > MAX_LATENESS_NANOS) {
        // Decoding fell behind. Moving the timeline keeps the motion smooth where rushing the
        // backlog out would play it fast-forward.
        originNanos += late;
        due += late;
        catchUps.incrementAndGet();
        if (!warnedLate) {
          warnedLate = true;
          log.warn("file source '{}': decoding {} is slower than real time; playback runs late", name, clip.file());
        }
      }
      long captureMicros = startMicros + (due - startNanos) / 1000;
      try {
        playback.sink.onFrame(picture.toFrame(captureMicros));
      } catch (RuntimeException e) {
        if (!sinkFailed) {
          sinkFailed = true;
          log.warn("file source '{}': frame sink failed", name, e);
        }
      }
      return true;
    }

    private void fail(String reason) {
      String error = "file '" + clip.file() + "' " + reason;
      if (finish(playback, SourceState.FAILED, error)) {
        log.error("file source '{}': {}", name, error);
      }
    }
  }

  private static long micros(Instant instant) {
    return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1000;
  }
}
