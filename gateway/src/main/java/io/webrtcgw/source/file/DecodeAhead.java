package io.webrtcgw.source.file;

import io.webrtcgw.source.FrameBuffer;
import io.webrtcgw.source.FramePool;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.source.h264.UnsupportedStreamException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a clip ahead of its playback: several lanes decode a GOP segment each at the same time
 * ({@link GopPlan}), in the order playback needs them, into a bounded {@link FramePool}, and each
 * picture waits in its slot (its place on the timeline: pass and position in presentation order)
 * until the presenter takes it.
 *
 * <p>What cannot be ready by its time is given up, so playback never waits for decoding: first a
 * frame nothing refers to, which is then not decoded at all (also when decoding it would make a
 * frame others refer to late); then, when not one more frame of a GOP could be shown in time
 * even decoding only what it needs, the tail of that GOP, and the lane moves on to the next GOP
 * it can still make. A reference frame that will be late but keeps later frames of its GOP within
 * reach is decoded for them only, not shown.
 *
 * <p>The lane decoding the earliest segment may use the whole pool; the lanes decoding further
 * ahead leave a reserve, so that decoding far ahead can never starve the decoding playback waits
 * for.
 */
final class DecodeAhead implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecodeAhead.class);
  /** How long a lane waits for a buffer before looking again whether it became the head. */
  private static final long ACQUIRE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Units a lane decodes before its time estimate may give up the tail of a GOP. */
  private static final int TRUSTED_UNITS = 4;

  /** What became of a slot when the presenter asked for it. */
  sealed interface Outcome permits Ready, Dropped, Late, End {}

  /** The picture, held for the presenter, which releases it. */
  record Ready(FrameBuffer picture) implements Outcome {}

  /** Given up before its time: not decodable in time, or damaged. */
  record Dropped() implements Outcome {}

  /** Not ready by the deadline the presenter gave. */
  record Late() implements Outcome {}

  /** No more slots: the clip ended (played once), or decoding failed or was stopped. */
  record End() implements Outcome {}

  /** Why frames were given up, counted by the lane or presenter that gave them up. */
  record Drops(long undecoded, long tails, long late, long damaged) {
    long total() {
      return undecoded + tails + late + damaged;
    }
  }

  /** Where the decoding's end goes: a reason a person can act on. */
  @FunctionalInterface
  interface Failure {
    void failed(String reason);
  }

  private final String name;
  private final ClipInfo clip;
  private final GopPlan plan;
  private final boolean loop;
  private final List<StreamDecoder> decoders;
  private final FramePool pool;
  private final int reserve;
  private final long graceNanos;
  private final int maxFailedFrames;
  private final long frameBudgetMillis;
  private final SourceMeter meter;
  private final LongSupplier nanoTime;
  private final Failure failure;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger failuresInRow = new AtomicInteger();
  private final LongAdder undecoded = new LongAdder();
  private final LongAdder tails = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder damaged = new LongAdder();
  private final AtomicLongArray laneDecodes;
  /** Each lane's running estimate of one decode's time, touched by that lane only. */
  private final long[] estimates;
  /** Units each lane decoded, touched by that lane only: its estimate is trusted after a few. */
  private final int[] laneUnits;

  // Guarded by this.
  private final Map<Long, Slot> slots = new HashMap<>();
  private final Map<Integer, int[]> passes = new HashMap<>(); // pass -> {segments done, units decoded}
  private final long[] laneSegment;
  private long nextSegment;
  /** The presenter's next slot: anything for an earlier one arriving now is let go. */
  private long nextSlot;
  private long originNanos = Long.MIN_VALUE;
  private boolean warnedDamage;
  private boolean warnedLate;
  private volatile boolean active = true;

  /**
   * @param decoders one per lane, each opened for this clip's stream
   * @param reserve buffers the lanes decoding further ahead leave to the one playback waits for
   * @param graceNanos how late after its time a picture may still be shown
   */
  DecodeAhead(String name, ClipInfo clip, GopPlan plan, boolean loop, List<StreamDecoder> decoders, FramePool pool,
      int reserve, long graceNanos, FileSource.Options options, SourceMeter meter, LongSupplier nanoTime,
      Failure failure) {
    this.name = name;
    this.clip = clip;
    this.plan = plan;
    this.loop = loop;
    this.decoders = List.copyOf(decoders);
    this.pool = pool;
    this.reserve = reserve;
    this.graceNanos = graceNanos;
    this.maxFailedFrames = options.maxFailedFrames();
    this.frameBudgetMillis = options.frameBudget().toMillis();
    this.meter = meter;
    this.nanoTime = nanoTime;
    this.failure = failure;
    this.laneSegment = new long[decoders.size()];
    this.laneDecodes = new AtomicLongArray(decoders.size());
    this.estimates = new long[decoders.size()];
    this.laneUnits = new int[decoders.size()];
    Arrays.fill(laneSegment, Long.MAX_VALUE);
  }

  int lanes() {
    return decoders.size();
  }

  void start() {
    for (int lane = 0; lane < decoders.size(); lane++) {
      int index = lane;
      Thread thread = new Thread(() -> runLane(index), "file-" + name + "-lane-" + lane);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  // The timeline.

  /** Sets when presentation time zero is, on the nanoTime axis; until then nothing is late. */
  synchronized void origin(long nanos) {
    originNanos = nanos;
    notifyAll();
  }

  /** When slot {@code slot} is due, given the origin. */
  long due(long slot, long origin) {
    int n = plan.frames();
    long pass = slot / n;
    int sample = plan.sampleAt((int) (slot % n));
    SampleTable samples = clip.samples();
    return origin + clip.ticksToNanos(pass * samples.spanTicks() + samples.pts(sample) - samples.firstPts());
  }

  /** How far slot {@code slot} is from the timeline's start. */
  long offset(long slot) {
    return due(slot, 0);
  }

  /** Slots in one pass. */
  int slotsPerPass() {
    return plan.frames();
  }

  // The presenter's side.

  /**
   * Waits until slot {@code slot} has its picture or was given up, or {@code deadline} (nanoTime)
   * passes, and moves the presenter past it.
   */
  synchronized Outcome await(long slot, long deadline) throws InterruptedException {
    while (true) {
      if (!active || (!loop && slot >= plan.frames())) {
        return new End();
      }
      Slot entry = slots.get(slot);
      if (entry != null && (entry.picture != null || entry.dropped)) {
        slots.remove(slot);
        nextSlot = slot + 1;
        return entry.picture != null ? new Ready(entry.picture) : new Dropped();
      }
      long left = deadline - nanoTime.getAsLong();
      if (left <= 0) {
        nextSlot = slot + 1;
        if (entry != null) {
          slots.remove(slot);
        }
        late.increment();
        return new Late();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /**
   * Waits until the {@code count} slots from {@code from} on have their pictures (or were given
   * up), or {@code deadline} passes: a head start for decoding before the timeline starts.
   */
  synchronized void awaitPreroll(long from, int count, long deadline) throws InterruptedException {
    long last = loop ? from + count : Math.min(from + count, plan.frames());
    for (long slot = from; slot < last && active; ) {
      Slot entry = slots.get(slot);
      if (entry != null && (entry.picture != null || entry.dropped)) {
        slot++;
        continue;
      }
      long left = deadline - nanoTime.getAsLong();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Units each lane decoded so far. */
  long[] decodesByLane() {
    long[] counts = new long[laneDecodes.length()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = laneDecodes.get(i);
    }
    return counts;
  }

  Drops drops() {
    return new Drops(undecoded.sum(), tails.sum(), late.sum(), damaged.sum());
  }

  // The lanes' side.

  private void runLane(int lane) {
    StreamDecoder decoder = decoders.get(lane);
    try (ClipReader reader = new ClipReader(clip)) {
      long segment;
      while ((segment = assign(lane)) >= 0) {
        if (!decodeSegment(lane, decoder, reader, segment)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      fail("cannot be read: " + e.getMessage());
    } finally {
      synchronized (this) {
        laneSegment[lane] = Long.MAX_VALUE;
        notifyAll();
      }
    }
  }

  /** The next segment for {@code lane} (a number over every pass), or -1 when there is none. */
  private synchronized long assign(int lane) {
    int perPass = plan.segments().size();
    laneSegment[lane] = Long.MAX_VALUE;
    if (!active || (!loop && nextSegment >= perPass)) {
      return -1;
    }
    laneSegment[lane] = nextSegment;
    return nextSegment++;
  }

  /** Decodes one segment; false when the playback is over. */
  private boolean decodeSegment(int lane, StreamDecoder decoder, ClipReader reader, long number)
      throws IOException, InterruptedException {
    int perPass = plan.segments().size();
    int pass = (int) (number / perPass);
    GopPlan.Segment segment = plan.segments().get((int) (number % perPass));
    int[] samples = segment.samples();
    boolean[] shown = segment.shown();
    // Which frames others refer to, before any is decoded: what deciding what to give up counts.
    boolean[] disposable = new boolean[samples.length];
    for (int i = 0; i < samples.length; i++) {
      disposable[i] = ClipReader.disposable(reader.units(reader.read(samples[i])));
    }
    decoder.reset();
    long estimate = estimates[lane];
    try {
      for (int i = 0; i < samples.length; i++) {
        if (!active) {
          return false;
        }
        long slot = shown[i] ? slot(pass, samples[i]) : -1;
        boolean reference = !disposable[i];
        long now = nanoTime.getAsLong();
        long origin = origin();
        if (origin != Long.MIN_VALUE && laneUnits[lane] >= TRUSTED_UNITS && reference
            && !reachable(pass, segment, disposable, i, now, estimate, origin)) {
          // Not one more frame of this GOP can be shown in time, even decoding only what it needs:
          // its tail is given up, and the lane goes on to a GOP it can still make.
          dropRest(pass, segment, i, tails);
          if (!warnedLate) {
            warnedLate = true;
            log.warn("file source '{}': decoding {} is slower than real time; frames are dropped to keep it",
                name, clip.file());
          }
          return true;
        }
        boolean wanted = shown[i] && !gone(slot) && !late(slot, now + estimate, origin);
        if (wanted && !reference && origin != Long.MIN_VALUE && estimate > 0
            && delaysReferences(pass, segment, disposable, i, now, estimate, origin)) {
          // Frames nothing refers to are the first to go: this one would make one that others
          // refer to late.
          wanted = false;
        }
        if (!reference && !wanted) {
          if (shown[i]) {
            drop(slot, undecoded);
          }
          continue;
        }
        FrameBuffer into = wanted ? acquire(lane, number) : null;
        if (wanted && into == null) {
          return false; // stopping
        }
        ClipReader.Sample sample = reader.read(samples[i]);
        List<ByteBuffer> units = reader.units(sample);
        meter.received(sample.data().remaining());
        long copiedBefore = decoder.bytesCopied();
        long began = nanoTime.getAsLong();
        FrameBuffer picture = null;
        try {
          if (units.isEmpty()) {
            throw new DecodeException.Damaged("the sample holds no slice");
          }
          if (into != null && late(slot, began + estimate, origin())) {
            // Waiting for the buffer made it late: decode it for the others only.
            into.release();
            into = null;
          }
          if (into == null) {
            decoder.decodeReference(units, sample.pts());
          } else {
            picture = decoder.decode(units, sample.pts(), into);
          }
        } catch (DecodeException.Overrun e) {
          release(into, picture);
          if (active) {
            fail(String.format("is probably damaged: decoding frame %d took longer than %d ms, so playback stopped",
                sample.index(), frameBudgetMillis));
          }
          return false;
        } catch (UnsupportedStreamException e) {
          release(into, picture);
          fail("cannot be played: " + e.getMessage());
          return false;
        } catch (DecodeException | RuntimeException e) {
          release(into, picture);
          if (!active) {
            return false;
          }
          int inRow = failuresInRow.incrementAndGet();
          if (!warnedDamage) {
            warnedDamage = true;
            log.warn("file source '{}': frame {} of {} cannot be decoded ({}); skipping to the next key frame",
                name, sample.index(), clip.file(), e.toString());
          }
          if (inRow >= maxFailedFrames) {
            fail(String.format("is damaged: %d frames in a row could not be decoded (the last, frame %d: %s)",
                inRow, sample.index(), e));
            return false;
          }
          dropRest(pass, segment, i, damaged);
          return true;
        }
        long took = nanoTime.getAsLong() - began;
        meter.decoded(took);
        laneDecodes.incrementAndGet(lane);
        long copiedAfter = decoder.bytesCopied();
        if (copiedBefore >= 0 && copiedAfter >= 0) {
          meter.copied(copiedAfter - copiedBefore);
        }
        // Quick to fall, slow to rise: one slow unit (a cold JIT, a pause) must not give up a GOP.
        estimate = estimate == 0 ? took : took < estimate ? (estimate + took) / 2 : (estimate * 4 + took) / 5;
        estimates[lane] = estimate;
        laneUnits[lane]++;
        failuresInRow.set(0);
        decodedOne(pass);
        if (picture == null) {
          if (into != null) {
            into.release();
            drop(slot, damaged); // a shown sample that held no picture
          } else if (shown[i]) {
            drop(slot, late); // decoded for the frames that refer to it, too late to show
          }
          continue;
        }
        if (picture != into) {
          into.release(); // another size: the picture came in a buffer of its own
        }
        deliver(slot, picture);
      }
      return true;
    } finally {
      segmentDone(pass);
    }
  }

  /**
   * Whether some frame of {@code segment} from its {@code from}th sample on can still be shown in
   * time when only what it needs is decoded: the frames others refer to up to it, and itself.
   */
  private boolean reachable(int pass, GopPlan.Segment segment, boolean[] disposable, int from, long now,
      long estimate, long origin) {
    int[] samples = segment.samples();
    long references = 0;
    for (int j = from; j < samples.length; j++) {
      if (!disposable[j]) {
        references++;
      }
      if (!segment.shown()[j]) {
        continue;
      }
      long slot = slot(pass, samples[j]);
      long cost = (references + (disposable[j] ? 1 : 0)) * estimate;
      if (!gone(slot) && !late(slot, now + cost, origin)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether decoding the frame nothing refers to at {@code at} would make a later shown frame that
   * others refer to late, which would be on time without it.
   */
  private boolean delaysReferences(int pass, GopPlan.Segment segment, boolean[] disposable, int at, long now,
      long estimate, long origin) {
    int[] samples = segment.samples();
    long references = 0;
    for (int j = at + 1; j < samples.length; j++) {
      if (disposable[j]) {
        continue;
      }
      references++;
      if (!segment.shown()[j]) {
        continue;
      }
      long slot = slot(pass, samples[j]);
      if (!late(slot, now + references * estimate, origin) && late(slot, now + (references + 1) * estimate, origin)
          && !gone(slot)) {
        return true;
      }
    }
    return false;
  }

  private long slot(int pass, int sample) {
    return (long) pass * plan.frames() + plan.positionOf(sample);
  }

  private synchronized long origin() {
    return originNanos;
  }

  private boolean late(long slot, long readyAt, long origin) {
    return origin != Long.MIN_VALUE && readyAt > due(slot, origin) + graceNanos;
  }

  private synchronized boolean gone(long slot) {
    Slot entry = slots.get(slot);
    return slot < nextSlot || (entry != null && entry.dropped);
  }

  /** A buffer for the lane's next picture; null once stopping. */
  private FrameBuffer acquire(int lane, long segment) throws InterruptedException {
    while (active) {
      int keep;
      synchronized (this) {
        long head = Long.MAX_VALUE;
        for (long s : laneSegment) {
          head = Math.min(head, s);
        }
        keep = segment == head ? 0 : reserve;
      }
      FrameBuffer buffer = pool.acquire(keep, ACQUIRE_STEP_NANOS);
      if (buffer != null) {
        return buffer;
      }
    }
    return null;
  }

  private synchronized void deliver(long slot, FrameBuffer picture) {
    Slot entry = slots.get(slot);
    if (slot < nextSlot || (entry != null && entry.dropped) || !active) {
      picture.release(); // the presenter went past it: counted there
      return;
    }
    if (entry == null) {
      entry = new Slot();
      slots.put(slot, entry);
    }
    entry.picture = picture;
    notifyAll();
  }

  private synchronized void drop(long slot, LongAdder reason) {
    if (slot < nextSlot) {
      return;
    }
    Slot entry = slots.computeIfAbsent(slot, s -> new Slot());
    if (!entry.dropped && entry.picture == null) {
      entry.dropped = true;
      reason.increment();
      notifyAll();
    }
  }

  /** Gives up the shown frames of {@code segment} from its {@code from}th sample on. */
  private void dropRest(int pass, GopPlan.Segment segment, int from, LongAdder reason) {
    for (int i = from; i < segment.samples().length; i++) {
      if (segment.shown()[i]) {
        drop(slot(pass, segment.samples()[i]), reason);
      }
    }
  }

  private synchronized void decodedOne(int pass) {
    passes.computeIfAbsent(pass, p -> new int[2])[1]++;
  }

  /** Counts a segment of {@code pass} done; a whole pass in which nothing decoded means a damaged file. */
  private void segmentDone(int pass) {
    boolean nothing;
    synchronized (this) {
      int[] counts = passes.computeIfAbsent(pass, p -> new int[2]);
      counts[0]++;
      nothing = counts[0] == plan.segments().size() && counts[1] == 0;
      if (counts[0] == plan.segments().size()) {
        passes.remove(pass);
      }
    }
    if (nothing && active) {
      fail("is damaged: not one of its " + clip.samples().count() + " video frames could be decoded");
    }
  }

  private static void release(FrameBuffer into, FrameBuffer picture) {
    if (picture != null && picture != into) {
      picture.release();
    }
    if (into != null) {
      into.release();
    }
  }

  private void fail(String reason) {
    boolean first;
    synchronized (this) {
      first = active;
      active = false;
      notifyAll();
    }
    if (first) {
      failure.failed(reason);
    }
  }

  /**
   * Waits for the lanes to finish what they decode (at most a frame's budget for the one that is
   * decoding): the end of a clip played once is only the end once decoding did not fail.
   */
  void awaitLanes() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(frameBudgetMillis + 2000);
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
  }

  /**
   * Stops the lanes (a decode in progress ends with its process) and waits for them, then lets go
   * of every picture still waiting and of the decoders. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      active = false;
      notifyAll();
    }
    pool.close();
    threads.forEach(Thread::interrupt);
    // Closing is often what an interrupt (a stop) asked for: the lanes are waited for all the same.
    boolean interrupted = Thread.interrupted();
    long patience = TimeUnit.MILLISECONDS.toNanos(frameBudgetMillis + 2000);
    long deadline = System.nanoTime() + patience;
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (thread.isAlive()) {
        log.warn("file source '{}': decoding thread {} did not stop in time", name, thread.getName());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      for (Slot entry : slots.values()) {
        if (entry.picture != null) {
          entry.picture.release();
        }
      }
      slots.clear();
    }
    decoders.forEach(StreamDecoder::close);
  }

  /** One place on the timeline: its picture once decoded, or that it was given up. */
  private static final class Slot {
    FrameBuffer picture;
    boolean dropped;
  }
}
