package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.EncodingConfig;
import io.webrtcgw.source.VideoFormat;
import org.junit.jupiter.api.Test;

class EncodingLimitsTest {
  private static final VideoFormat HD = new VideoFormat(1280, 720, 30);
  private static final VideoFormat SD = new VideoFormat(640, 360, 30);
  /** 0.1 bit per pixel and frame, between 150 kbit/s and 2 Mbit/s. */
  private static final EncodingConfig POLICY = new EncodingConfig(0.1, 150_000, 2_000_000);

  @Test
  void aViewportAsLargeAsTheSourceGetsTheFullPicture() {
    EncodingLimits limits = EncodingLimits.forViewport(SD, POLICY, 640, 360, true);
    assertEquals(new EncodingLimits(true, 1, 30, 691_200), limits, "0.1 x 640 x 360 x 30");
    assertEquals(1, EncodingLimits.forViewport(HD, POLICY, 2560, 1440, true).scaleDownBy(), "never scaled up");
    assertEquals(2_000_000, EncodingLimits.forViewport(HD, POLICY, 1280, 720, true).maxBitrateBps(), "the ceiling");
  }

  @Test
  void aDashboardTileIsEncodedAtItsOwnSizeAndPaysForItsOwnPixels() {
    EncodingLimits tile = EncodingLimits.forViewport(HD, POLICY, 320, 180, true);
    assertEquals(4, tile.scaleDownBy());
    assertEquals(172_800, tile.maxBitrateBps(), "0.1 x 320 x 180 x 30");
    assertEquals(30, tile.maxFramerate());
  }

  @Test
  void theEncodedPictureIsNeverSmallerThanTheDisplayedOne() {
    // 1280x720 fit into 800x450 shows at 800x450: scale 1.6 rounds down to the 1.5 step (853x480).
    assertEquals(1.5, EncodingLimits.forViewport(HD, POLICY, 800, 450, true).scaleDownBy());
    // A tall box: the width decides (320x180 shown), the spare height does not matter.
    assertEquals(2, EncodingLimits.forViewport(SD, POLICY, 320, 1000, true).scaleDownBy());
    // A wide box: the height decides (355x200 shown from 1280x720): step 3 gives 427x240.
    assertEquals(3, EncodingLimits.forViewport(HD, POLICY, 1280, 200, true).scaleDownBy());
  }

  @Test
  void tinyBoxesStopAtNinetyRowsAndTheFloor() {
    assertEquals(4, EncodingLimits.forViewport(SD, POLICY, 40, 20, true).scaleDownBy(), "160x90");
    assertEquals(8, EncodingLimits.forViewport(HD, POLICY, 40, 20, true).scaleDownBy(), "160x90");
    assertEquals(150_000, EncodingLimits.forViewport(HD, POLICY, 40, 20, true).maxBitrateBps(), "the floor");
  }

  @Test
  void anUnknownSizeGetsTheFullPictureAndAHiddenPagePauses() {
    assertEquals(1, EncodingLimits.forViewport(SD, POLICY, 0, 0, true).scaleDownBy());
    EncodingLimits hidden = EncodingLimits.forViewport(SD, POLICY, 640, 360, false);
    assertFalse(hidden.active());
    assertTrue(EncodingLimits.forViewport(SD, POLICY, 640, 360, true).active());
  }

  @Test
  void bitrateFollowsFrameRate() {
    assertEquals(345_600, EncodingLimits.forViewport(new VideoFormat(640, 360, 15), POLICY, 0, 0, true).maxBitrateBps());
    assertEquals(1_382_400, EncodingLimits.forViewport(new VideoFormat(640, 360, 60), POLICY, 0, 0, true).maxBitrateBps());
  }

  @Test
  void aStreamsOwnMaxBitrateLowersTheCeilingAndTheFloorWithIt() {
    EncodingConfig stream = POLICY.limitedTo(400_000);
    assertEquals(400_000, EncodingLimits.forViewport(SD, stream, 0, 0, true).maxBitrateBps());
    assertEquals(172_800, EncodingLimits.forViewport(SD, stream, 320, 180, true).maxBitrateBps(), "below it: the policy");
    assertEquals(100_000, POLICY.limitedTo(100_000).capFor(160 * 90, 30), "a cap under the floor wins");
    assertEquals(POLICY, POLICY.limitedTo(0), "0: no cap of its own");
    assertEquals(POLICY, POLICY.limitedTo(5_000_000), "above the ceiling: the ceiling");
  }
}
