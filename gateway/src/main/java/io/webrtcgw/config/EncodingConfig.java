package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one viewer's encoder may spend: a bitrate cap by encoded pixels and frame rate ({@code
 * bitsPerPixel} x width x height x fps), kept within {@code minBitrate} and {@code maxBitrate}.
 * libwebrtc encodes once per viewer, and a browser's bandwidth estimate takes every encoder to its
 * cap on a good network, so the cap is what each viewer costs (README "Encoding").
 *
 * @param bitsPerPixel bits per encoded pixel and frame
 * @param minBitrate bit/s that even the smallest tile may spend
 * @param maxBitrate bit/s that no viewer's encoder exceeds
 */
public record EncodingConfig(double bitsPerPixel, int minBitrate, int maxBitrate) {
  /**
   * 1.04 Mbit/s at 640x360@30, about what the bundled clip takes at the encoder's finest QP, 259
   * kbit/s for a 320x180 tile, and the ceiling from 720p up. Lower caps save bandwidth, not CPU:
   * per viewer the encode costs the same from 0.4 to 0.9 Mbit/s (README "Benchmark").
   */
  public static final double DEFAULT_BITS_PER_PIXEL = 0.15;
  public static final int DEFAULT_MIN_BITRATE = 150_000;
  public static final int DEFAULT_MAX_BITRATE = 2_500_000;
  public static final EncodingConfig DEFAULT =
      new EncodingConfig(DEFAULT_BITS_PER_PIXEL, DEFAULT_MIN_BITRATE, DEFAULT_MAX_BITRATE);
  /** Below this libwebrtc's encoders give up on the picture (and its pacer on probing). */
  static final int LOWEST_BITRATE = 30_000;
  static final int HIGHEST_BITRATE = 50_000_000;

  @JsonCreator
  public static EncodingConfig of(
      @JsonProperty("bitsPerPixel") Double bitsPerPixel,
      @JsonProperty("minBitrate") Integer minBitrate,
      @JsonProperty("maxBitrate") Integer maxBitrate) {
    return new EncodingConfig(bitsPerPixel == null ? DEFAULT_BITS_PER_PIXEL : bitsPerPixel,
        minBitrate == null ? Math.min(DEFAULT_MIN_BITRATE, maxBitrate == null ? DEFAULT_MIN_BITRATE : maxBitrate)
            : minBitrate,
        maxBitrate == null ? Math.max(DEFAULT_MAX_BITRATE, minBitrate == null ? 0 : minBitrate) : maxBitrate);
  }

  public EncodingConfig {
    if (!(bitsPerPixel > 0 && bitsPerPixel <= 2)) {
      throw new IllegalArgumentException("encoding.bitsPerPixel must be above 0 and at most 2: " + bitsPerPixel);
    }
    checkBitrate("encoding.maxBitrate", maxBitrate);
    checkBitrate("encoding.minBitrate", minBitrate);
    if (minBitrate > maxBitrate) {
      throw new IllegalArgumentException(
          "encoding.minBitrate (" + minBitrate + ") must not exceed encoding.maxBitrate (" + maxBitrate + ")");
    }
  }

  static void checkBitrate(String what, int bps) {
    if (bps < LOWEST_BITRATE || bps > HIGHEST_BITRATE) {
      throw new IllegalArgumentException(
          what + " must be from " + LOWEST_BITRATE + " to " + HIGHEST_BITRATE + " bit/s: " + bps);
    }
  }

  /** The cap for a picture of {@code encodedPixels} at {@code fps}, in bit/s. */
  public int capFor(long encodedPixels, double fps) {
    double wanted = bitsPerPixel * encodedPixels * Math.max(1, fps);
    return (int) Math.round(Math.max(minBitrate, Math.min(maxBitrate, wanted)));
  }

  /** This policy with its ceiling lowered to a stream's own {@code maxBitrate} (0: none). */
  public EncodingConfig limitedTo(int streamMaxBitrate) {
    if (streamMaxBitrate <= 0 || streamMaxBitrate >= maxBitrate) {
      return this;
    }
    return new EncodingConfig(bitsPerPixel, Math.min(minBitrate, streamMaxBitrate), streamMaxBitrate);
  }
}
