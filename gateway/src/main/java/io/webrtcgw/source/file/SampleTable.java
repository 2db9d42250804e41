package io.webrtcgw.source.file;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Where each video sample of a track lies in the file and when it is presented, flattened from the
 * {@code stbl} boxes. Only the index is held in memory; sample data stays on disk.
 */
final class SampleTable {
  /** Larger samples mean a damaged index, and a buffer this size is allocated per run. */
  static final int MAX_SAMPLE_SIZE = 64 << 20;
  /** About 37 hours at 30 fps; the index costs about 20 bytes a frame. */
  static final int MAX_SAMPLES = 4_000_000;

  private final long[] offsets;
  private final int[] sizes;
  private final long[] pts;
  private final BitSet sync;
  private final int maxSize;
  private final long firstPts;
  private final long spanTicks;
  private final long totalDuration;

  private SampleTable(long[] offsets, int[] sizes, long[] pts, BitSet sync, int maxSize, long firstPts,
      long spanTicks, long totalDuration) {
    this.offsets = offsets;
    this.sizes = sizes;
    this.pts = pts;
    this.sync = sync;
    this.maxSize = maxSize;
    this.firstPts = firstPts;
    this.spanTicks = spanTicks;
    this.totalDuration = totalDuration;
  }

  /**
   * Flattens the sample tables of a track's {@code stbl} box.
   *
   * @throws IllegalArgumentException naming what is inconsistent, if the index is damaged
   */
  static SampleTable of(Mp4Box stbl, long fileSize) {
    Mp4Box stsz = stbl.child("stsz");
    Mp4Box stts = stbl.child("stts");
    Mp4Box stsc = stbl.child("stsc");
    Mp4Box stco = stbl.child("stco");
    Mp4Box co64 = stbl.child("co64");
    if (stsz == null && stbl.child("stz2") != null) {
      throw new IllegalArgumentException("compact sample sizes (stz2) are not supported");
    }
    if (stsz == null || stts == null || stsc == null || (stco == null && co64 == null)) {
      throw new IllegalArgumentException("the video track's sample table (stsz, stts, stsc, stco) is incomplete");
    }
    ByteBuffer sizeHeader = stsz.head(12);
    int defaultSize = sizeHeader.getInt(4);
    long count = Integer.toUnsignedLong(sizeHeader.getInt(8));
    if (count == 0) {
      return new SampleTable(new long[0], new int[0], new long[0], null, 0, 0, 0, 0);
    }
    if (count > MAX_SAMPLES) {
      throw new IllegalArgumentException("the video track lists " + count + " frames, more than " + MAX_SAMPLES);
    }
    if (count * Integer.toUnsignedLong(defaultSize) > fileSize) {
      throw new IllegalArgumentException("the sample size table (stsz) lists " + count + " frames of "
          + defaultSize + " bytes, more than the whole file");
    }
    int n = (int) count;
    int[] sizes = new int[n];
    if (defaultSize != 0) {
      Arrays.fill(sizes, defaultSize);
    } else {
      ByteBuffer listed = stsz.table(12, 4, n);
      for (int i = 0; i < n; i++) {
        sizes[i] = listed.getInt();
      }
    }
    int maxSize = 0;
    for (int size : sizes) {
      if (size <= 0 || size > MAX_SAMPLE_SIZE) {
        throw new IllegalArgumentException("the sample size table (stsz) lists a sample of "
            + Integer.toUnsignedLong(size) + " bytes");
      }
      maxSize = Math.max(maxSize, size);
    }

    long[] offsets = chunkLayout(sizes, stsc, stco != null ? stco : co64);

    // Decode times first; the composition offsets below turn them into presentation times.
    long[] pts = new long[n];
    long[] durations = new long[n];
    int sample = 0;
    long time = 0;
    ByteBuffer times = entries(stts, 8);
    while (times.hasRemaining() && sample < n) {
      long runLength = Integer.toUnsignedLong(times.getInt());
      long delta = Integer.toUnsignedLong(times.getInt());
      for (long i = 0; i < runLength && sample < n; i++, sample++) {
        pts[sample] = time;
        durations[sample] = delta;
        time += delta;
      }
    }
    if (sample < n) {
      throw new IllegalArgumentException(
          "the time-to-sample table (stts) covers " + sample + " of " + n + " samples");
    }
    Mp4Box ctts = stbl.child("ctts");
    if (ctts != null) {
      ByteBuffer offsetsInTime = entries(ctts, 8);
      sample = 0;
      while (offsetsInTime.hasRemaining() && sample < n) {
        long runLength = Integer.toUnsignedLong(offsetsInTime.getInt());
        // Signed in version 1 and, in practice, in version 0 too.
        int offset = offsetsInTime.getInt();
        for (long i = 0; i < runLength && sample < n; i++, sample++) {
          pts[sample] += offset;
        }
      }
    }
    long first = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      first = Math.min(first, pts[i]);
      end = Math.max(end, pts[i] + durations[i]);
    }

    BitSet sync = null;
    Mp4Box stss = stbl.child("stss");
    if (stss != null) {
      sync = new BitSet(n);
      ByteBuffer numbers = entries(stss, 4);
      while (numbers.hasRemaining()) {
        long number = Integer.toUnsignedLong(numbers.getInt());
        if (number >= 1 && number <= n) {
          sync.set((int) number - 1);
        }
      }
    }
    return new SampleTable(offsets, sizes, pts, sync, maxSize, first, end - first, time);
  }

  /** The entries of a full box that starts with version, flags and an entry count. */
  private static ByteBuffer entries(Mp4Box box, int entryBytes) {
    long count = Integer.toUnsignedLong(box.head(8).getInt(4));
    ByteBuffer table = box.table(8, entryBytes, count);
    return table.limit((int) (count * entryBytes));
  }

  /** Byte offset of every sample, from the chunk offsets and the sample-to-chunk runs. */
  private static long[] chunkLayout(int[] sizes, Mp4Box stsc, Mp4Box chunkBox) {
    boolean wide = chunkBox.type().equals("co64");
    ByteBuffer chunks = entries(chunkBox, wide ? 8 : 4);
    ByteBuffer runs = entries(stsc, 12);
    int runCount = runs.remaining() / 12;
    if (runCount == 0 || !chunks.hasRemaining()) {
      throw new IllegalArgumentException("the chunk tables (stsc, stco) are empty");
    }
    long[] offsets = new long[sizes.length];
    int sample = 0;
    int run = 0;
    for (long chunk = 1; chunks.hasRemaining() && sample < sizes.length; chunk++) {
      // stsc numbers chunks from 1; a run lasts until the next run's first chunk.
      while (run + 1 < runCount && Integer.toUnsignedLong(runs.getInt((run + 1) * 12)) <= chunk) {
        run++;
      }
      long perChunk = Integer.toUnsignedLong(runs.getInt(run * 12 + 4));
      if (perChunk == 0) {
        throw new IllegalArgumentException("the sample-to-chunk table (stsc) lists an empty chunk");
      }
      long offset = wide ? chunks.getLong() : Integer.toUnsignedLong(chunks.getInt());
      for (long i = 0; i < perChunk && sample < sizes.length; i++, sample++) {
        offsets[sample] = offset;
        offset += sizes[sample];
      }
    }
    if (sample < sizes.length) {
      throw new IllegalArgumentException(
          "the chunk tables (stsc, stco) place " + sample + " of " + sizes.length + " samples");
    }
    return offsets;
  }

  int count() {
    return sizes.length;
  }

  long offset(int sample) {
    return offsets[sample];
  }

  int size(int sample) {
    return sizes[sample];
  }

  /** Presentation time in track ticks (decode time plus composition offset), before any edit list. */
  long pts(int sample) {
    return pts[sample];
  }

  boolean isSync(int sample) {
    return sync == null || sync.get(sample);
  }

  int maxSize() {
    return maxSize;
  }

  /** The earliest presentation time; the timeline starts here. */
  long firstPts() {
    return firstPts;
  }

  /** From the first presented frame to the end of the last one: what one loop adds to the clock. */
  long spanTicks() {
    return spanTicks;
  }

  /** Sum of sample durations. */
  long totalDuration() {
    return totalDuration;
  }

  /** The longest time between two presentation times in a row, or after the last, in track ticks. */
  long longestGap() {
    long[] sorted = pts.clone();
    Arrays.sort(sorted);
    long gap = firstPts + spanTicks - sorted[sorted.length - 1];
    for (int i = 1; i < sorted.length; i++) {
      gap = Math.max(gap, sorted[i] - sorted[i - 1]);
    }
    return gap;
  }

  /** First sample whose bytes do not fit in a file of {@code fileSize} bytes, or -1. */
  int firstSampleBeyond(long fileSize) {
    for (int i = 0; i < sizes.length; i++) {
      if (offsets[i] < 0 || offsets[i] + sizes[i] > fileSize) {
        return i;
      }
    }
    return -1;
  }

  /** Number of samples whose bytes do not fit in a file of {@code fileSize} bytes. */
  int samplesBeyond(long fileSize) {
    int n = 0;
    for (int i = 0; i < sizes.length; i++) {
      if (offsets[i] < 0 || offsets[i] + sizes[i] > fileSize) {
        n++;
      }
    }
    return n;
  }

  /**
   * How many decoded pictures must be held back to hand them out in presentation order: the largest
   * number of earlier-decoded samples presented after any one sample. Zero without B-frames.
   */
  int reorderDepth() {
    int window = 32;
    int depth = 0;
    for (int k = 1; k < pts.length; k++) {
      int later = 0;
      for (int j = Math.max(0, k - window); j < k; j++) {
        if (pts[j] > pts[k]) {
          later++;
        }
      }
      depth = Math.max(depth, later);
    }
    return Math.min(depth, 16);
  }
}
