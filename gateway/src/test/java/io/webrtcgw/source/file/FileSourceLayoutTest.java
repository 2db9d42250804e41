package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.file.TestClips.Spec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many lanes and buffers a file gets: the GOP structure of ffmpeg-made clips, at the sizes of
 * 1080p (the layout only reads the picture size), against the default budget of 192 MiB on two
 * cores.
 */
class FileSourceLayoutTest {
  private static final long FRAME_BYTES_1080P = 1920L * 1080 * 3 / 2;

  @TempDir static Path dir;

  @Test
  void twoSecondGopsAt1080pGetTwoLanesWithinTheDefaultBudget() throws Exception {
    FileSource.Layout layout = layout1080p(new Spec("high", 3, 320, 240, "30", 8.0), 60, true);
    assertEquals(2, layout.lanes(), layout.toString());
    assertWithinBudget(layout, FileSource.Options.DEFAULT.decodeAheadBytes());
  }

  @Test
  void aTenSecondGopAt1080pDecodesOnOneLaneWithinTheDefaultBudget() throws Exception {
    FileSource.Layout layout = layout1080p(new Spec("high", 3, 320, 240, "30", 20.0), 300, true);
    assertEquals(1, layout.lanes(), layout.toString());
    assertWithinBudget(layout, FileSource.Options.DEFAULT.decodeAheadBytes());
  }

  @Test
  void aFileOfOneGopPlayedOnceDecodesOnOneLane() throws Exception {
    FileSource.Layout layout = layout1080p(new Spec("high", 3, 320, 240, "30", 2.0), 600, false);
    assertEquals(1, layout.lanes(), layout.toString());
  }

  private static void assertWithinBudget(FileSource.Layout layout, long budget) {
    assertTrue(layout.capacity() * FRAME_BYTES_1080P <= budget, layout + " exceeds " + (budget >> 20) + " MiB");
    assertTrue(layout.capacity() > layout.reserve() + layout.lanes(), "room to decode ahead: " + layout);
  }

  private static FileSource.Layout layout1080p(Spec spec, int gop, boolean loop) throws Exception {
    ClipInfo small = Mp4Probe.probe(TestClips.h264(dir, spec, gop, false));
    ClipInfo clip = new ClipInfo(small.file(), small.avcC(), small.profile(), 1920, 1088, 0, 0, 1920, 1080,
        small.rotation(), small.timescale(), small.samples(), small.reorderDepth(), small.fps());
    return FileSource.layout(clip, GopPlan.of(clip.samples()), FileSource.Options.DEFAULT.withLoop(loop), 2);
  }
}
