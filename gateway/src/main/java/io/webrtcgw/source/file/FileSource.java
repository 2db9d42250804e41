package io.webrtcgw.source.file;

import io.webrtcgw.source.FramePool;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.h264.JCodecLogBridge;
import io.webrtcgw.source.h264.StreamDecoder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the H.264 video of an MP4/MOV file in real time at its own timestamps, decoded by JCodec in
 * the gateway's decoder processes.
 *
 * <p>Decoding runs ahead of playback ({@link DecodeAhead}): several GOPs at once, on as many lanes
 * as the cores and the memory budget allow, into a bounded pool of frame buffers. Playback keeps
 * to the file's clock from its first frame on, and never waits for decoding: a frame that is not
 * ready in time is dropped (counted in the meter) and the next one shown at its own time, so the
 * file never plays in slow motion and a loop always lasts the file's duration.
 */
public final class FileSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);
  /** Frames of run-ahead beyond the reserve when decoding on one lane: a second of cushion at 30 fps. */
  private static final int CUSHION_FRAMES = 30;
  /**
   * Before the timeline starts, decoding gets a head start of this many frames after the first,
   * or {@link #PREROLL_NANOS} at most: a decoder process that has just started (its JIT cold)
   * would otherwise drop the first frames.
   */
  private static final int PREROLL_FRAMES = 8;
  private static final long PREROLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private final SourceMeter meter = new SourceMeter();
  /**
   * Later than this after its time, a frame is dropped rather than shown (unless the options give
   * a grace of their own): the timeline never moves, so nothing after it is late for its sake.
   */
  static final long MAX_LATENESS_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  /**
   * How a file plays.
   *
   * @param loop start again at the end (seamlessly), or play once and end
   * @param openTimeout how long checking the file when opening may take
   * @param frameBudget how long decoding one frame may take before the file counts as damaged
   * @param maxFailedFrames how many frames in a row may fail to decode before playback fails
   * @param decodeAheadBytes the memory decoded frames waiting for their time may take (the buffers
   *     are made as they are first needed); at least the reorder depth and a few frames more are
   *     always allowed
   * @param maxLanes how many GOPs may decode at once; 0 for as many as the machine has cores
   * @param lateGrace how late after its time a frame may still be shown (later, it is dropped);
   *     zero for half a frame, at most {@link #MAX_LATENESS_NANOS}
   */
  public record Options(boolean loop, Duration openTimeout, Duration frameBudget, int maxFailedFrames,
      long decodeAheadBytes, int maxLanes, Duration lateGrace) {
    public static final Options DEFAULT =
        new Options(true, Duration.ofSeconds(10), Duration.ofSeconds(3), 25, 192L << 20, 0, Duration.ZERO);

    public Options {
      if (openTimeout.isNegative() || openTimeout.isZero() || frameBudget.isNegative() || frameBudget.isZero()) {
        throw new IllegalArgumentException("file source time limits must be positive");
      }
      if (maxFailedFrames < 1) {
        throw new IllegalArgumentException("maxFailedFrames must be at least 1: " + maxFailedFrames);
      }
      if (decodeAheadBytes < 0 || maxLanes < 0 || maxLanes > 16 || lateGrace.isNegative()) {
        throw new IllegalArgumentException("decodeAheadBytes and lateGrace must not be negative, maxLanes 0..16");
      }
    }

    public Options withLoop(boolean loop) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames, decodeAheadBytes, maxLanes, lateGrace);
    }

    public Options withFrameBudget(Duration frameBudget) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames, decodeAheadBytes, maxLanes, lateGrace);
    }

    public Options withOpenTimeout(Duration openTimeout) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames, decodeAheadBytes, maxLanes, lateGrace);
    }

    public Options withDecodeAhead(long bytes, int lanes) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames, bytes, lanes, lateGrace);
    }

    public Options withLateGrace(Duration grace) {
      return new Options(loop, openTimeout, frameBudget, maxFailedFrames, decodeAheadBytes, maxLanes, grace);
    }
  }

  /**
   * How one run decodes: on how many lanes, into how many buffers, with how many kept for the
   * lane playback waits for.
   */
  record Layout(int lanes, int capacity, int reserve) {}

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
  private final GopPlan plan;
  private final Layout layout;
  private final Object lock = new Object();
  private Playback current;
  private Playback last;
  private boolean closed;
  private volatile SourceState state = SourceState.IDLE;
  private volatile String lastError;

  private FileSource(String name, ClipInfo clip, Options options, Clock clock, StreamDecoder.Factory decoders) {
    this.name = name;
    this.clip = clip;
    this.options = options;
    this.clock = clock;
    this.decoders = decoders;
    this.plan = GopPlan.of(clip.samples());
    this.layout = layout(clip, plan, options, Runtime.getRuntime().availableProcessors());
    meter.codec("h264");
  }

  /**
   * Decides how a clip decodes. A lane beyond the first pays only when it can decode well ahead:
   * each needs room for half a GOP of frames in the budget (a 2 s GOP at 1080p gets two lanes in
   * the default 192 MiB), so a file of one GOP that plays once, or of GOPs too long for the budget
   * (a 10 s GOP at 1080p), decodes on one lane.
   */
  static Layout layout(ClipInfo clip, GopPlan plan, Options options, int cores) {
    VideoFormat format = clip.format();
    long frameBytes = (long) format.width() * format.height()
        + 2L * I420Frame.chromaWidth(format.width()) * I420Frame.chromaHeight(format.height());
    // Pictures decoded before the one shown next, the one being shown, and the stream's latest.
    int reserve = clip.reorderDepth() + 3;
    long budgetFrames = options.decodeAheadBytes() / frameBytes;
    int gop = Math.max(1, Math.round((float) plan.frames() / plan.segments().size()));
    boolean several = plan.segments().size() > 1 || options.loop();
    int maxLanes = options.maxLanes() > 0 ? options.maxLanes() : Math.min(cores, 4);
    int lanes = 1;
    if (several) {
      // The GOPs decoded ahead by further lanes are the cushion then: one lane's is not kept beside.
      long room = budgetFrames - reserve;
      lanes = (int) Math.max(1, Math.min(maxLanes, 1 + room / Math.max(1, gop / 2)));
    }
    long wanted = reserve + lanes + (long) (lanes - 1) * gop + (lanes == 1 ? CUSHION_FRAMES : 0);
    int capacity = (int) Math.max(reserve + lanes + 1, Math.min(budgetFrames, wanted));
    return new Layout(lanes, capacity, reserve);
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

  /** How this file decodes: lanes, buffers and reserve. */
  Layout layout() {
    return layout;
  }

  /** Why the current or last run gave frames up. */
  DecodeAhead.Drops drops() {
    Playback playback;
    synchronized (lock) {
      playback = last;
    }
    DecodeAhead ahead = playback == null ? null : playback.ahead;
    return ahead == null ? new DecodeAhead.Drops(0, 0, 0, 0) : ahead.drops();
  }

  /** Units each lane of the current or last run decoded. */
  long[] decodesByLane() {
    Playback playback;
    synchronized (lock) {
      playback = last;
    }
    DecodeAhead ahead = playback == null ? null : playback.ahead;
    return ahead == null ? new long[0] : ahead.decodesByLane();
  }

  /** The most frame buffers the current or last run held at once. */
  int peakBuffers() {
    FramePool pool = lastPool();
    return pool == null ? 0 : pool.peakHeld();
  }

  /** Frame buffers the current or last run made: never more than its layout's capacity. */
  int buffersMade() {
    FramePool pool = lastPool();
    return pool == null ? 0 : pool.made();
  }

  private FramePool lastPool() {
    synchronized (lock) {
      return last == null ? null : last.pool;
    }
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
      last = current;
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

  /** One run from start to stop, end or failure: its threads, buffers, sink and listener. */
  private final class Playback {
    final FrameSink sink;
    final SourceListener listener;
    final Thread thread;
    volatile boolean active = true;
    volatile FramePool pool;
    volatile DecodeAhead ahead;
    private boolean sinkFailed;

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
      VideoFormat format = clip.format();
      long graceNanos = options.lateGrace().isZero()
          ? Math.min(MAX_LATENESS_NANOS, (long) (500_000_000L / Math.max(1, clip.fps())))
          : Math.min(options.lateGrace().toNanos(), Long.MAX_VALUE / 4);
      try {
        List<StreamDecoder> lanes = decoders.openLanes(spec, layout.lanes());
        pool = new FramePool(format.width(), format.height(), layout.capacity());
        ahead = new DecodeAhead(name, clip, plan, options.loop(), lanes, pool, layout.reserve(), graceNanos, options,
            meter, System::nanoTime, this::fail);
        try {
          ahead.start();
          present(ahead, graceNanos);
        } finally {
          ahead.close();
          pool.close();
        }
      } catch (InterruptedException e) {
        // stopped
      } catch (Throwable t) {
        String error = "file '" + clip.file() + "' stopped playing unexpectedly: " + t;
        if (finish(this, SourceState.FAILED, error)) {
          log.error("file source '{}': {}", name, error, t);
        }
      }
    }

    /**
     * Shows each slot's picture at its time, from the first picture's time on; a picture not
     * ready by its time (and a grace of half a frame) is dropped, never waited for.
     */
    private void present(DecodeAhead ahead, long graceNanos) throws InterruptedException {
      long startNanos = System.nanoTime();
      long startMicros = micros(clock.instant());
      long origin = Long.MIN_VALUE;
      for (long slot = 0; active; slot++) {
        if (!options.loop() && slot >= ahead.slotsPerPass()) {
          ahead.awaitLanes();
          if (finish(this, SourceState.ENDED, null)) {
            log.info("file source '{}': played {} to the end", name, clip.file());
          }
          return;
        }
        long deadline = origin == Long.MIN_VALUE ? Long.MAX_VALUE : ahead.due(slot, origin) + graceNanos;
        DecodeAhead.Outcome outcome = ahead.await(slot, deadline);
        if (outcome instanceof DecodeAhead.End) {
          return; // stopped, or decoding failed (and said why)
        }
        if (!(outcome instanceof DecodeAhead.Ready ready)) {
          meter.dropped(1);
          continue;
        }
        if (origin == Long.MIN_VALUE) {
          // The timeline starts with the first picture (and a short head start): nothing before
          // it was late.
          ahead.awaitPreroll(slot + 1, PREROLL_FRAMES, System.nanoTime() + PREROLL_NANOS);
          origin = System.nanoTime() - ahead.offset(slot);
          ahead.origin(origin);
        }
        long due = ahead.due(slot, origin);
        long wait;
        while (active && (wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(this, wait);
        }
        I420Frame frame = ready.picture().frame(startMicros + (due - startNanos) / 1000, 0);
        try {
          if (active) {
            sink.onFrame(frame);
          }
        } catch (RuntimeException e) {
          if (!sinkFailed) {
            sinkFailed = true;
            log.warn("file source '{}': frame sink failed", name, e);
          }
        } finally {
          frame.release();
        }
      }
    }

    private void fail(String reason) {
      String error = "file '" + clip.file() + "' " + reason;
      if (finish(this, SourceState.FAILED, error)) {
        log.error("file source '{}': {}", name, error);
      }
    }
  }

  private static long micros(Instant instant) {
    return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1000;
  }
}
