package io.webrtcgw.rtc;

import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import io.webrtcgw.config.EncodingConfig;
import io.webrtcgw.source.VideoFormat;

/**
 * What one viewer's encoder is allowed to spend: libwebrtc encodes once per peer connection, so a
 * viewer that shows the video small or not at all should not pay for a full-size encode.
 *
 * @param active false pauses the sender (a hidden tab)
 * @param scaleDownBy the source size divided by the encoded size, at least 1
 * @param maxFramerate frames per second at most
 * @param maxBitrateBps bits per second at most
 */
public record EncodingLimits(boolean active, double scaleDownBy, double maxFramerate, int maxBitrateBps) {
  /** Scale steps: a few sizes rather than one per pixel, so resizing a window rarely reconfigures. */
  private static final double[] SCALE_STEPS = {1, 1.5, 2, 3, 4, 6, 8, 12, 16};
  /** Below this many encoded rows a picture is not worth shrinking further. */
  static final int MIN_ENCODED_HEIGHT = 90;

  /**
   * The limits for a viewer showing a {@code source}-sized picture in a box of {@code width} x
   * {@code height} device pixels, scaled to fit ({@code object-fit: contain}), with the bitrate
   * {@code encoding} allows for the encoded size. A box with no size (0 x 0, a video not laid out,
   * or a viewer that never said) gets the full picture.
   */
  public static EncodingLimits forViewport(
      VideoFormat source, EncodingConfig encoding, int width, int height, boolean visible) {
    double scale = 1;
    if (width > 0 && height > 0) {
      // Fitting the picture in the box shrinks it by the larger of the two ratios; encoding at a
      // step at or below that keeps at least one encoded pixel per displayed pixel.
      double exact = Math.max((double) source.width() / width, (double) source.height() / height);
      double largest = Math.max(1, (double) source.height() / MIN_ENCODED_HEIGHT);
      exact = Math.min(exact, largest);
      for (double step : SCALE_STEPS) {
        if (step <= exact) {
          scale = step;
        }
      }
    }
    long encodedPixels = Math.round(source.width() / scale) * Math.round(source.height() / scale);
    // The frame rate stays the source's: libwebrtc only enforces maxFramerate by asking the source
    // to adapt, and the one source shared by every viewer does not (see README's Benchmark).
    return new EncodingLimits(visible, scale, source.fps(), encoding.capFor(encodedPixels, source.fps()));
  }

  /** Writes these limits into the sender's one encoding. */
  void applyTo(RTCRtpEncodingParameters encoding) {
    encoding.active = active;
    encoding.scaleResolutionDownBy = scaleDownBy;
    encoding.maxFramerate = maxFramerate;
    encoding.maxBitrate = maxBitrateBps;
  }
}
