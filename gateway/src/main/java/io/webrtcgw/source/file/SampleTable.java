package io.webrtcgw.source.file;

import java.util.Arrays;
import java.util.BitSet;
import org.jcodec.containers.mp4.boxes.ChunkOffsets64Box;
import org.jcodec.containers.mp4.boxes.ChunkOffsetsBox;
import org.jcodec.containers.mp4.boxes.CompositionOffsetsBox;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.SampleToChunkBox;
import org.jcodec.containers.mp4.boxes.SyncSamplesBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrakBox;

/**
 * Where each video sample of a track lies in the file and when it is presented, flattened from the
 * {@code stbl} boxes. Only the index is held in memory; sample data stays on disk.
 */
final class SampleTable {
  /** Larger samples mean a damaged index, and a buffer this size is allocated per run. */
  static final int MAX_SAMPLE_SIZE = 64 << 20;

  private final long[] offsets;
  private final int[] sizes;
  private final long[] pts;
  private final BitSet sync;
  private final int maxSize;
  private final long firstPts;
  private final long spanTicks;
  private final long totalDuration;

  private SampleTable(
      long[] offsets, int[] sizes, long[] pts, BitSet sync, int maxSize, long firstPts, long spanTicks, long totalDuration) {
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
   * Flattens the track's sample tables.
   *
   * @throws IllegalArgumentException naming what is inconsistent, if the index is damaged
   */
  static SampleTable of(TrakBox trak) {
    SampleSizesBox stsz = trak.getStsz();
    TimeToSampleBox stts = trak.getStts();
    SampleToChunkBox stsc = trak.getStsc();
    ChunkOffsetsBox stco = trak.getStco();
    ChunkOffsets64Box co64 = trak.getCo64();
    if (stsz == null || stts == null || stsc == null || (stco == null && co64 == null)) {
      throw new IllegalArgumentException("the video track's sample table (stsz, stts, stsc, stco) is incomplete");
    }
    int count = stsz.getCount();
    if (count <= 0) {
      return new SampleTable(new long[0], new int[0], new long[0], null, 0, 0, 0, 0);
    }
    int[] sizes = new int[count];
    if (stsz.getDefaultSize() != 0) {
      Arrays.fill(sizes, stsz.getDefaultSize());
    } else {
      int[] listed = stsz.getSizes();
      if (listed == null || listed.length != count) {
        throw new IllegalArgumentException("the sample size table (stsz) is inconsistent");
      }
      System.arraycopy(listed, 0, sizes, 0, count);
    }
    int maxSize = 0;
    for (int size : sizes) {
      if (size <= 0 || size > MAX_SAMPLE_SIZE) {
        throw new IllegalArgumentException("the sample size table (stsz) lists a sample of " + size + " bytes");
      }
      maxSize = Math.max(maxSize, size);
    }

    long[] offsets = chunkLayout(count, sizes, stsc.getSampleToChunk(), stco != null ? stco.getChunkOffsets() : co64.getChunkOffsets());

    // Decode times first; the composition offsets below turn them into presentation times.
    long[] pts = new long[count];
    long[] durations = new long[count];
    int sample = 0;
    long time = 0;
    for (TimeToSampleBox.TimeToSampleEntry e : stts.getEntries()) {
      if (e.getSampleCount() < 0) {
        throw new IllegalArgumentException("the time-to-sample table (stts) is damaged");
      }
      for (int i = 0; i < e.getSampleCount() && sample < count; i++, sample++) {
        pts[sample] = time;
        durations[sample] = Integer.toUnsignedLong(e.getSampleDuration());
        time += durations[sample];
      }
    }
    if (sample < count) {
      throw new IllegalArgumentException("the time-to-sample table (stts) covers " + sample + " of " + count + " samples");
    }

    CompositionOffsetsBox ctts = trak.getCtts();
    if (ctts != null) {
      sample = 0;
      for (CompositionOffsetsBox.Entry e : ctts.getEntries()) {
        for (int i = 0; i < e.getCount() && sample < count; i++, sample++) {
          pts[sample] += e.getOffset();
        }
      }
    }
    long first = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (int i = 0; i < count; i++) {
      first = Math.min(first, pts[i]);
      end = Math.max(end, pts[i] + durations[i]);
    }

    BitSet sync = null;
    SyncSamplesBox stss = trak.getStss();
    if (stss != null) {
      sync = new BitSet(count);
      for (int number : stss.getSyncSamples()) {
        if (number >= 1 && number <= count) {
          sync.set(number - 1);
        }
      }
    }
    return new SampleTable(offsets, sizes, pts, sync, maxSize, first, end - first, time);
  }

  /** Byte offset of every sample, from the chunk offsets and the sample-to-chunk runs. */
  private static long[] chunkLayout(
      int count, int[] sizes, SampleToChunkBox.SampleToChunkEntry[] runs, long[] chunkOffsets) {
    if (runs == null || runs.length == 0 || chunkOffsets == null || chunkOffsets.length == 0) {
      throw new IllegalArgumentException("the chunk tables (stsc, stco) are empty");
    }
    long[] offsets = new long[count];
    int sample = 0;
    int run = 0;
    for (int chunk = 0; chunk < chunkOffsets.length && sample < count; chunk++) {
      // stsc numbers chunks from 1; a run lasts until the next run's first chunk.
      while (run + 1 < runs.length && runs[run + 1].getFirst() <= chunk + 1) {
        run++;
      }
      int perChunk = runs[run].getCount();
      if (perChunk <= 0) {
        throw new IllegalArgumentException("the sample-to-chunk table (stsc) lists a chunk of " + perChunk + " samples");
      }
      long offset = chunkOffsets[chunk];
      for (int i = 0; i < perChunk && sample < count; i++, sample++) {
        offsets[sample] = offset;
        offset += sizes[sample];
      }
    }
    if (sample < count) {
      throw new IllegalArgumentException("the chunk tables (stsc, stco) place " + sample + " of " + count + " samples");
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
