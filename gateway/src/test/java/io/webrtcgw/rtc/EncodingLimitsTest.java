package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.VideoFormat;
import org.junit.jupiter.api.Test;

class EncodingLimitsTest {
  private static final VideoFormat HD = new VideoFormat(1280, 720, 30);
  private static final VideoFormat SD = new VideoFormat(640, 360, 30);

  @Test
  void aViewportAsLargeAsTheSourceGetsTheFullPicture() {
    EncodingLimits limits = EncodingLimits.forViewport(HD, 1280, 720, true);
    assertEquals(new EncodingLimits(true, 1, 30, 2_500_000), limits);
    assertEquals(1, EncodingLimits.forViewport(HD, 2560, 1440, true).scaleDownBy(), "never scaled up");
  }

  @Test
  void aDashboardTileIsEncodedAtItsOwnSize() {
    EncodingLimits tile = EncodingLimits.forViewport(HD, 320, 180, true);
    assertEquals(4, tile.scaleDownBy());
    assertEquals(300_000, tile.maxBitrateBps());
    assertEquals(30, tile.maxFramerate());
  }

  @Test
  void theEncodedPictureIsNeverSmallerThanTheDisplayedOne() {
    // 1280x720 fit into 800x450 shows at 800x450: scale 1.6 rounds down to the 1.5 step (853x480).
    assertEquals(1.5, EncodingLimits.forViewport(HD, 800, 450, true).scaleDownBy());
    // A tall box: the width decides (320x180 shown), the spare height does not matter.
    assertEquals(2, EncodingLimits.forViewport(SD, 320, 1000, true).scaleDownBy());
    // A wide box: the height decides (355x200 shown from 1280x720): step 3 gives 427x240.
    assertEquals(3, EncodingLimits.forViewport(HD, 1280, 200, true).scaleDownBy());
  }

  @Test
  void tinyBoxesStopAtNinetyRows() {
    assertEquals(4, EncodingLimits.forViewport(SD, 40, 20, true).scaleDownBy(), "160x90");
    assertEquals(8, EncodingLimits.forViewport(HD, 40, 20, true).scaleDownBy(), "160x90");
    assertEquals(150_000, EncodingLimits.forViewport(HD, 40, 20, true).maxBitrateBps());
  }

  @Test
  void anUnknownSizeGetsTheFullPictureAndAHiddenPagePauses() {
    assertEquals(1, EncodingLimits.forViewport(SD, 0, 0, true).scaleDownBy());
    EncodingLimits hidden = EncodingLimits.forViewport(SD, 640, 360, false);
    assertFalse(hidden.active());
    assertTrue(EncodingLimits.forViewport(SD, 640, 360, true).active());
  }

  @Test
  void bitrateFollowsFrameRate() {
    assertEquals(850_000, EncodingLimits.maxBitrateBps(640 * 360, 15));
    assertEquals(1_700_000, EncodingLimits.maxBitrateBps(640 * 360, 60));
  }
}
