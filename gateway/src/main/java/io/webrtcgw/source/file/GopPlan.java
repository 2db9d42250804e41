package io.webrtcgw.source.file;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How one pass over a clip splits into segments that decode independently, one per GOP (from a
 * key frame to the next), and in which order its frames are shown.
 *
 * <p>An open GOP (x264's {@code open-gop}) starts with an I-frame that is not an IDR, and the
 * B-frames right after it in decode order, shown before it ("leading" pictures), also refer to the
 * GOP before. The segment of that earlier GOP therefore decodes on into the next one: its key
 * frame (to refer to, not shown) and its leading pictures (shown); the next segment starts at the
 * same key frame and skips them. Every frame of the clip is then shown by exactly one segment.
 */
final class GopPlan {
  /**
   * One segment: samples to decode, in decode order, and whether each one's picture is shown.
   *
   * @param index the segment's place in the pass
   */
  record Segment(int index, int[] samples, boolean[] shown) {
    /** Samples whose pictures are shown. */
    int shownCount() {
      int n = 0;
      for (boolean s : shown) {
        if (s) {
          n++;
        }
      }
      return n;
    }
  }

  private final List<Segment> segments;
  /** Sample indices in presentation order. */
  private final int[] presentation;
  /** Each sample's place in presentation order. */
  private final int[] position;
  /** The segment that shows each sample. */
  private final int[] shownBy;

  private GopPlan(List<Segment> segments, int[] presentation, int[] position, int[] shownBy) {
    this.segments = segments;
    this.presentation = presentation;
    this.position = position;
    this.shownBy = shownBy;
  }

  static GopPlan of(SampleTable samples) {
    int n = samples.count();
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (samples.isSync(i)) {
        keys.add(i);
      }
    }
    if (keys.isEmpty() || keys.get(0) != 0) {
      // Frames before the first key frame: decoded from the start, as far as they go.
      keys.add(0, 0);
    }
    int[] shownBy = new int[n];
    Arrays.fill(shownBy, -1);
    List<Segment> segments = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      int start = keys.get(k);
      int end = k + 1 < keys.size() ? keys.get(k + 1) : n;
      List<Integer> decode = new ArrayList<>();
      List<Boolean> shown = new ArrayList<>();
      for (int i = start; i < end; i++) {
        boolean leading = k > 0 && leading(samples, start, i);
        if (!leading) {
          decode.add(i);
          shown.add(true);
        }
      }
      if (k + 1 < keys.size()) {
        int next = keys.get(k + 1);
        int nextEnd = k + 2 < keys.size() ? keys.get(k + 2) : n;
        int lastLeading = -1;
        for (int i = next + 1; i < nextEnd; i++) {
          if (leading(samples, next, i)) {
            lastLeading = i;
          }
        }
        // Decode on through the next key frame to its last leading picture, showing only those.
        for (int i = next; i <= lastLeading; i++) {
          decode.add(i);
          shown.add(leading(samples, next, i));
        }
      }
      int[] order = decode.stream().mapToInt(Integer::intValue).toArray();
      boolean[] show = new boolean[shown.size()];
      for (int i = 0; i < show.length; i++) {
        show[i] = shown.get(i);
        if (show[i]) {
          shownBy[order[i]] = k;
        }
      }
      segments.add(new Segment(k, order, show));
    }
    int[] presentation = IntStream.range(0, n).boxed()
        .sorted(Comparator.comparingLong(samples::pts).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
    int[] position = new int[n];
    for (int p = 0; p < n; p++) {
      position[presentation[p]] = p;
    }
    return new GopPlan(List.copyOf(segments), presentation, position, shownBy);
  }

  /** Whether sample {@code i}, after key frame {@code key} in decode order, is shown before it. */
  private static boolean leading(SampleTable samples, int key, int i) {
    return i > key && samples.pts(i) < samples.pts(key);
  }

  List<Segment> segments() {
    return segments;
  }

  int frames() {
    return presentation.length;
  }

  /** The sample shown at place {@code p} of the pass. */
  int sampleAt(int p) {
    return presentation[p];
  }

  /** Where sample {@code i} is shown in the pass. */
  int positionOf(int i) {
    return position[i];
  }

  /** The segment that shows sample {@code i}. */
  int segmentShowing(int i) {
    return shownBy[i];
  }

  /** The most frames in one segment. */
  int longestSegment() {
    int longest = 0;
    for (Segment segment : segments) {
      longest = Math.max(longest, segment.samples().length);
    }
    return longest;
  }
}
