package io.webrtcgw.source.rtsp;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.h264.AccessUnitDecoder;
import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.Rotation;
import io.webrtcgw.source.h264.SequenceParameters;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.source.h264.UnsupportedStreamException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode stage of an RTSP source, on a thread of its own fed through a small bounded queue:
 * decodes each access unit as soon as it is complete, puts B-frames back in order only as deep as
 * the stream needs, and hands each picture on at once, timed by its RTP timestamp. Live means
 * live: when decoding falls behind (the queue fills, or units wait longer than a few frame
 * intervals) it first skips pictures nothing refers to, then everything up to the next IDR, and
 * counts what it skipped.
 *
 * <p>JCodec itself runs behind a {@link StreamDecoder} (a decoder process in production, which is
 * ended when a picture overruns its budget): a camera's bytes are as untrusted as a file's. This
 * stage reads the parameter sets itself, for the reorder depth and for early refusals, and sends
 * every key frame with the parameter sets in force, so that a fresh decoder process can start on
 * it even when the camera sent them only once.
 */
final class LiveDecoder implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LiveDecoder.class);
  static final int QUEUE_CAPACITY = 8;
  /** Consecutive key frames that fail to decode before the stream counts as undecodable. */
  static final int MAX_FAILED_IN_ROW = 5;
  private static final int MAX_REORDER = 4;

  /** What the decoder tells its source. */
  interface Events {
    /** A picture was handed on; the first of a session means the camera plays. */
    void picture(int session, int width, int height, double fps);

    /** The session's video cannot be decoded: the source gives the session up with this reason. */
    void fault(int session, RtspException reason);
  }

  /** A session's start: what the decoder must forget, and what it knows before any picture. */
  private record Start(int session, List<ByteBuffer> parameterSets, int clockRate) {}

  private sealed interface Item permits Unit, Begin, End {}

  private record Unit(int session, AccessUnit unit) implements Item {}

  private record Begin(Start start) implements Item {}

  private record End() implements Item {}

  private record Pending(DecodedPicture picture, long timestamp, long arrivalNanos) {}

  private final String stream;
  private final StreamDecoder.Factory decoders;
  private final Duration budget;
  private final FrameSink sink;
  private final SourceMeter meter;
  private final Events events;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicBoolean skipToKey = new AtomicBoolean();
  private final PriorityQueue<Pending> reorder = new PriorityQueue<>(Comparator.comparingLong(Pending::timestamp));

  // Decode thread only.
  private int session = -1;
  private StreamDecoder decoder;
  private SequenceParameters sequence;
  /** The parameter sets in force, whole NAL units by id, as the decoder keeps them. */
  private final Map<Integer, byte[]> spsUnits = new LinkedHashMap<>();
  private final Map<Integer, byte[]> ppsUnits = new LinkedHashMap<>();
  private RtpClock rtpClock;
  private boolean awaitKey = true;
  private boolean faulted;
  private int failedInRow;
  private int reorderDepth;
  private boolean depthFromStream;
  private long lastShown = Long.MIN_VALUE;
  private long lastTimestamp = Long.MIN_VALUE;
  private long frameInterval;
  private double fps;
  private boolean sinkFailed;

  /** @param budget how long one picture may take to decode before its decoder is ended */
  LiveDecoder(String stream, StreamDecoder.Factory decoders, Duration budget, FrameSink sink, SourceMeter meter,
      Events events, Clock clock, LongSupplier nanoTime) {
    this.stream = stream;
    this.decoders = decoders;
    this.budget = budget;
    this.sink = sink;
    this.meter = meter;
    this.events = events;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** Starts a session's stream: units of earlier sessions still queued are dropped. */
  void begin(int session, List<ByteBuffer> parameterSets, int clockRate) {
    Start start = new Start(session, parameterSets, clockRate);
    while (!queue.offer(new Begin(start))) {
      dropBacklog();
    }
  }

  /** Queues a complete access unit from the network thread; never blocks. */
  void offer(int session, AccessUnit unit) {
    if (!queue.offer(new Unit(session, unit))) {
      dropBacklog();
      queue.offer(new Unit(session, unit));
    }
  }

  /** Units and markers waiting to be decoded. */
  int backlog() {
    return queue.size();
  }

  /** Ends the decode thread once it has taken what is queued before. */
  void end() {
    while (!queue.offer(new End())) {
      dropBacklog();
    }
  }

  /** Decoding is behind: everything queued goes, and decoding resumes at the next IDR. */
  private void dropBacklog() {
    List<Item> backlog = new ArrayList<>();
    queue.drainTo(backlog);
    long pictures = 0;
    for (Item item : backlog) {
      if (item instanceof Unit) {
        pictures++;
      } else {
        // Session boundaries and the end must survive the purge.
        queue.offer(item);
      }
    }
    meter.dropped(pictures);
    skipToKey.set(true);
  }

  /** Decodes until {@link #end} or an interrupt (which also ends a decode in progress); closes the decoder. */
  @Override
  public void run() {
    try {
      while (true) {
        Item item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (item instanceof End) {
          return;
        }
        if (item instanceof Begin begin) {
          startSession(begin.start());
          continue;
        }
        Unit unit = (Unit) item;
        if (unit.session() != session || faulted) {
          continue;
        }
        if (skipToKey.getAndSet(false)) {
          awaitKey = true;
        }
        handle(unit.unit());
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
    } finally {
      closeDecoder();
    }
  }

  private void closeDecoder() {
    if (decoder != null) {
      decoder.close();
      decoder = null;
    }
  }

  private void startSession(Start start) {
    session = start.session();
    sequence = null;
    spsUnits.clear();
    ppsUnits.clear();
    rtpClock = new RtpClock(start.clockRate());
    reorder.clear();
    awaitKey = true;
    faulted = false;
    failedInRow = 0;
    reorderDepth = 0;
    depthFromStream = false;
    lastShown = Long.MIN_VALUE;
    lastTimestamp = Long.MIN_VALUE;
    frameInterval = 0;
    skipToKey.set(false);
    for (ByteBuffer unit : start.parameterSets()) {
      byte[] nal = new byte[unit.remaining()];
      unit.duplicate().get(nal);
      try {
        takeParameterSet(nal);
      } catch (UnsupportedStreamException e) {
        fault("the camera's video " + e.getMessage());
        return;
      } catch (IllegalArgumentException e) {
        // Damaged SDP parameter sets: the ones in band will do.
        log.debug("stream {}: the SDP's parameter sets are unusable: {}", stream, e.getMessage());
      }
    }
    if (decoder == null) {
      // Only parameter sets that read well go to the decoder: it would refuse every picture over a damaged one.
      decoder = decoders.open(new StreamDecoder.Spec(stream, Rotation.NONE, bodies(spsUnits.values()),
          bodies(ppsUnits.values()), budget));
    } else {
      // The decoder (and its process) outlives a reconnect, so a camera that restarts costs no new
      // process; this session's parameter sets reach it with each key frame.
      decoder.reset();
    }
  }

  /**
   * Notes an SPS or PPS (a whole NAL unit) as the decoder will: an SPS of another picture size
   * replaces all earlier ones, as it starts the decoder afresh. Other NAL types are ignored.
   *
   * @throws UnsupportedStreamException when it describes H.264 JCodec cannot decode
   * @throws IllegalArgumentException when it is damaged
   */
  private void takeParameterSet(byte[] nal) throws UnsupportedStreamException {
    int type = nal.length == 0 ? -1 : nal[0] & 0x1F;
    if (type == AccessUnitDecoder.NAL_SPS) {
      SequenceParameters next = SequenceParameters.read(ByteBuffer.wrap(nal, 1, nal.length - 1).slice());
      if (!next.decodable()) {
        throw new UnsupportedStreamException(next.refusal());
      }
      if (sequence != null && !sequence.sameSize(next)) {
        spsUnits.clear();
      }
      spsUnits.put(next.id(), nal.clone());
      boolean changed = !next.equals(sequence);
      sequence = next;
      if (changed) {
        sequenceChanged();
      }
    } else if (type == AccessUnitDecoder.NAL_PPS) {
      ByteBuffer body = ByteBuffer.wrap(nal, 1, nal.length - 1).slice();
      String refusal = SequenceParameters.ppsRefusal(body);
      if (refusal != null) {
        throw new UnsupportedStreamException(refusal);
      }
      ppsUnits.put(SequenceParameters.ppsId(body), nal.clone());
    }
  }

  private void handle(AccessUnit unit) {
    long timestamp = rtpClock.extend(unit.timestamp());
    noteInterval(timestamp);
    if (awaitKey && !unit.idr()) {
      if (hasSlices(unit)) {
        meter.dropped(1);
      }
      return;
    }
    long age = nanoTime.getAsLong() - unit.arrivalNanos();
    if (!unit.idr() && age > lateBound(2) && !unit.reference()) {
      meter.dropped(1);
      return;
    }
    if (!unit.idr() && age > lateBound(6)) {
      // So far behind that only skipping to the next key frame keeps the picture live. Decoding on
      // instead (until a key frame, or up to a second) was measured: 1080p played at twice the
      // rate but 0.4 s late at the median, and every pause of a 720p stream cost half a second.
      meter.dropped(1);
      awaitKey = true;
      return;
    }
    DecodedPicture picture;
    long began = nanoTime.getAsLong();
    try {
      boolean hasSps = false;
      boolean hasPps = false;
      for (byte[] nal : unit.nalUnits()) {
        takeParameterSet(nal);
        hasSps |= nal.length > 0 && (nal[0] & 0x1F) == AccessUnitDecoder.NAL_SPS;
        hasPps |= nal.length > 0 && (nal[0] & 0x1F) == AccessUnitDecoder.NAL_PPS;
      }
      picture = decoder.decode(toDecoder(unit, hasSps, hasPps), timestamp);
    } catch (UnsupportedStreamException e) {
      fault("the camera's video " + e.getMessage());
      return;
    } catch (DecodeException | IllegalArgumentException e) {
      if (Thread.currentThread().isInterrupted()) {
        return; // stopped while decoding: the interrupt ended the decode, and its process with it
      }
      // An overrun already ended the decoder's process; the next key frame starts a fresh one,
      // which gets the parameter sets with it.
      decoder.reset();
      awaitKey = true;
      meter.dropped(1);
      String what = e instanceof DecodeException.Overrun ? "overran its budget" : "failed";
      if (unit.idr() && ++failedInRow >= MAX_FAILED_IN_ROW) {
        fault("the camera's H.264 cannot be decoded: " + failedInRow + " key frames in a row " + what + " ("
            + e.getMessage() + ")");
      } else if (failedInRow <= 1 || e instanceof DecodeException.Overrun) {
        log.warn("stream {}: a picture from the camera cannot be decoded ({}); waiting for the next key frame",
            stream, e.getMessage());
      }
      return;
    }
    if (picture == null) {
      return;
    }
    meter.decoded(nanoTime.getAsLong() - began);
    if (unit.idr()) {
      failedInRow = 0;
    }
    awaitKey = false;
    present(new Pending(picture, timestamp, unit.arrivalNanos()));
  }

  /** Holds pictures back only as far as B-frames need, then hands out the earliest. */
  private void present(Pending pending) {
    reorder.add(pending);
    while (reorder.size() > reorderDepth) {
      show(reorder.poll());
    }
  }

  private void show(Pending pending) {
    if (pending.timestamp() <= lastShown) {
      if (!depthFromStream && reorderDepth < MAX_REORDER) {
        // The stream has B-frames and did not say how deep: hold one more picture from now on.
        reorderDepth++;
      }
      meter.dropped(1);
      return;
    }
    lastShown = pending.timestamp();
    long capture = rtpClock.captureMicros(pending.timestamp(), micros(clock.instant()));
    try {
      sink.onFrame(pending.picture().toFrame(capture, pending.arrivalNanos()));
    } catch (RuntimeException e) {
      if (!sinkFailed) {
        sinkFailed = true;
        log.warn("stream {}: frame sink failed", stream, e);
      }
    }
    events.picture(session, pending.picture().width(), pending.picture().height(), fps);
  }

  private void sequenceChanged() {
    if (sequence.reorderDepth() >= 0) {
      reorderDepth = Math.min(MAX_REORDER, sequence.reorderDepth());
      depthFromStream = true;
    } else if (sequence.profile().contains("Baseline")) {
      reorderDepth = 0;
      depthFromStream = true;
    }
    while (reorder.size() > reorderDepth) {
      show(reorder.poll());
    }
  }

  /** Learns the frame interval from the smallest timestamp step, for lateness bounds and the fps. */
  private void noteInterval(long timestamp) {
    if (lastTimestamp != Long.MIN_VALUE) {
      long step = timestamp - lastTimestamp;
      long stepNanos = rtpClock.mediaMicros(step) * 1000;
      if (stepNanos > TimeUnit.MILLISECONDS.toNanos(4) && stepNanos < TimeUnit.SECONDS.toNanos(2)
          && (frameInterval == 0 || stepNanos < frameInterval)) {
        frameInterval = stepNanos;
        fps = Math.round(1e10 / stepNanos) / 10.0;
      }
    }
    lastTimestamp = Math.max(lastTimestamp, timestamp);
  }

  /** {@code intervals} frame intervals, but never less than 100 ms. */
  private long lateBound(int intervals) {
    long interval = frameInterval == 0 ? TimeUnit.MILLISECONDS.toNanos(33) : frameInterval;
    return Math.max(TimeUnit.MILLISECONDS.toNanos(100), intervals * interval);
  }

  private void fault(String message) {
    faulted = true;
    events.fault(session, new RtspException(message, RtspException.Retry.SLOWLY));
  }

  private static boolean hasSlices(AccessUnit unit) {
    for (byte[] nal : unit.nalUnits()) {
      int type = nal[0] & 0x1F;
      if (type == 1 || type == 5) {
        return true;
      }
    }
    return false;
  }

  /**
   * The unit's NAL units for the decoder; a key frame without its own parameter sets gets the ones
   * in force before it, for a decoder that may be fresh (a process started after an overrun).
   */
  private List<ByteBuffer> toDecoder(AccessUnit unit, boolean hasSps, boolean hasPps) {
    List<ByteBuffer> out = new ArrayList<>(unit.nalUnits().size() + 2);
    if (unit.idr()) {
      if (!hasSps) {
        spsUnits.values().forEach(nal -> out.add(ByteBuffer.wrap(nal)));
      }
      if (!hasPps) {
        ppsUnits.values().forEach(nal -> out.add(ByteBuffer.wrap(nal)));
      }
    }
    for (byte[] nal : unit.nalUnits()) {
      out.add(ByteBuffer.wrap(nal));
    }
    return out;
  }

  private static List<ByteBuffer> bodies(Iterable<byte[]> units) {
    List<ByteBuffer> out = new ArrayList<>();
    for (byte[] nal : units) {
      out.add(ByteBuffer.wrap(nal, 1, nal.length - 1).slice());
    }
    return out;
  }

  private static long micros(Instant instant) {
    return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1000;
  }
}
