package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.file.TestClips.Spec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments of ffmpeg-made clips: each GOP decodes from its key frame, every frame is shown by
 * exactly one segment, and segments show consecutive stretches of the timeline, in order; an open
 * GOP's leading B-frames are shown by the segment before, which decodes on through the key frame
 * they refer to.
 */
class GopPlanTest {
  @TempDir static Path dir;

  @Test
  void closedGopsWithBFramesSplitAtEachKeyFrame() throws Exception {
    SampleTable samples = Mp4Probe.probe(TestClips.h264(dir, new Spec("high", 3, 320, 240, "30", 2.0), 12, false))
        .samples();
    GopPlan plan = GopPlan.of(samples);
    assertEquals(5, plan.segments().size(), "60 frames in GOPs of 12");
    assertWellFormed(samples, plan);
    for (GopPlan.Segment segment : plan.segments()) {
      for (boolean shown : segment.shown()) {
        assertTrue(shown, "a closed GOP decodes only what it shows");
      }
    }
  }

  @Test
  void anOpenGopsLeadingFramesAreShownByTheSegmentBefore() throws Exception {
    SampleTable samples = Mp4Probe.probe(TestClips.h264(dir, new Spec("high", 3, 320, 240, "30", 2.0), 12, true))
        .samples();
    GopPlan plan = GopPlan.of(samples);
    assertTrue(plan.segments().size() >= 4, plan.segments().size() + " segments");
    assertWellFormed(samples, plan);
    int leading = 0;
    for (int k = 0; k + 1 < plan.segments().size(); k++) {
      GopPlan.Segment segment = plan.segments().get(k);
      int nextKey = plan.segments().get(k + 1).samples()[0];
      for (int i = 0; i < segment.samples().length; i++) {
        int sample = segment.samples()[i];
        if (sample == nextKey) {
          assertFalse(segment.shown()[i], "the next key frame is decoded to refer to, and shown by its own segment");
        }
        if (sample > nextKey && segment.shown()[i]) {
          assertTrue(samples.pts(sample) < samples.pts(nextKey), "only pictures shown before the key frame");
          leading++;
        }
      }
    }
    assertTrue(leading > 0, "x264's open GOPs have leading B-frames");
  }

  @Test
  void aFileOfOneGopIsOneSegment() throws Exception {
    SampleTable samples = Mp4Probe.probe(TestClips.h264(dir, new Spec("main", 3, 320, 240, "30", 2.0), 600, false))
        .samples();
    GopPlan plan = GopPlan.of(samples);
    assertEquals(1, plan.segments().size());
    assertEquals(60, plan.longestSegment());
    assertWellFormed(samples, plan);
  }

  private static void assertWellFormed(SampleTable samples, GopPlan plan) {
    int n = samples.count();
    int[] shownTimes = new int[n];
    int previousLast = -1;
    for (GopPlan.Segment segment : plan.segments()) {
      int[] order = segment.samples();
      assertTrue(samples.isSync(order[0]), "segment " + segment.index() + " starts at a key frame");
      int first = Integer.MAX_VALUE;
      int last = -1;
      for (int i = 0; i < order.length; i++) {
        if (i > 0) {
          assertTrue(order[i] > order[i - 1], "decode order within segment " + segment.index());
        }
        if (segment.shown()[i]) {
          shownTimes[order[i]]++;
          assertEquals(segment.index(), plan.segmentShowing(order[i]));
          first = Math.min(first, plan.positionOf(order[i]));
          last = Math.max(last, plan.positionOf(order[i]));
        }
      }
      assertEquals(last - first + 1, segment.shownCount(), "segment " + segment.index() + " shows a stretch");
      assertEquals(previousLast + 1, first, "segment " + segment.index() + " follows the one before");
      previousLast = last;
    }
    for (int i = 0; i < n; i++) {
      assertEquals(1, shownTimes[i], "sample " + i + " shown once");
    }
    for (int p = 1; p < n; p++) {
      assertTrue(samples.pts(plan.sampleAt(p)) > samples.pts(plan.sampleAt(p - 1)), "presentation order");
    }
  }
}
