package io.webrtcgw.source.mjpeg;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What a JPEG's markers before its first scan say: the frame type (baseline, progressive...), size,
 * components and their sampling, the colour transform (JFIF, Adobe) and whether it carries its own
 * Huffman tables, which some cameras leave out of their MJPEG frames.
 *
 * @param frameType the SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless,
 *     9-15 arithmetic or hierarchical
 * @param horizontal each component's horizontal sampling factor
 * @param vertical each component's vertical sampling factor
 * @param adobeTransform the Adobe APP14 transform flag, or -1 without that segment
 * @param firstScan offset of the first SOS marker
 */
public record JpegHeader(int frameType, int precision, int width, int height, int[] ids, int[] horizontal,
    int[] vertical, boolean jfif, int adobeTransform, boolean huffmanTables, int firstScan) {

  /** The colour model of the decoded samples. */
  public enum Colour {
    GRAY, YCBCR, RGB, CMYK
  }

  public static JpegHeader parse(byte[] jpeg) throws JpegException {
    if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
      throw new JpegException("not a JPEG: it starts with '" + ResponseHead.printable(jpeg, 0, 16, 16) + "'");
    }
    int frameType = -1;
    int precision = 0;
    int width = 0;
    int height = 0;
    int[] ids = new int[0];
    int[] horizontal = new int[0];
    int[] vertical = new int[0];
    boolean jfif = false;
    int adobe = -1;
    boolean tables = false;
    int pos = 2;
    while (true) {
      while (pos < jpeg.length && (jpeg[pos] & 0xFF) == 0xFF && pos + 1 < jpeg.length && (jpeg[pos + 1] & 0xFF) == 0xFF) {
        pos++;
      }
      if (pos + 4 > jpeg.length) {
        throw new JpegException("the JPEG ends inside its header (" + jpeg.length + " bytes)");
      }
      if ((jpeg[pos] & 0xFF) != 0xFF) {
        throw new JpegException("the JPEG's header is damaged at byte " + pos);
      }
      int marker = jpeg[pos + 1] & 0xFF;
      if (marker == 0xD9) {
        throw new JpegException("the JPEG has no picture (it ends before its first scan)");
      }
      int length = (jpeg[pos + 2] & 0xFF) << 8 | jpeg[pos + 3] & 0xFF;
      int data = pos + 4;
      if (length < 2 || pos + 2 + length > jpeg.length) {
        throw new JpegException("the JPEG's header is damaged at byte " + pos);
      }
      if (marker == 0xDA) {
        if (frameType < 0) {
          throw new JpegException("the JPEG has no frame header (SOF) before its first scan");
        }
        return new JpegHeader(frameType, precision, width, height, ids, horizontal, vertical, jfif, adobe, tables, pos);
      }
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        if (length < 8) {
          throw new JpegException("the JPEG's frame header is too short");
        }
        frameType = marker & 0x0F;
        precision = jpeg[data] & 0xFF;
        height = (jpeg[data + 1] & 0xFF) << 8 | jpeg[data + 2] & 0xFF;
        width = (jpeg[data + 3] & 0xFF) << 8 | jpeg[data + 4] & 0xFF;
        int count = jpeg[data + 5] & 0xFF;
        if (length < 8 + 3 * count) {
          throw new JpegException("the JPEG's frame header is too short for " + count + " components");
        }
        ids = new int[count];
        horizontal = new int[count];
        vertical = new int[count];
        for (int i = 0; i < count; i++) {
          ids[i] = jpeg[data + 6 + 3 * i] & 0xFF;
          horizontal[i] = (jpeg[data + 7 + 3 * i] & 0xFF) >> 4;
          vertical[i] = jpeg[data + 7 + 3 * i] & 0x0F;
        }
      } else if (marker == 0xC4) {
        tables = true;
      } else if (marker == 0xE0 && length >= 7 && startsWith(jpeg, data, "JFIF\0")) {
        jfif = true;
      } else if (marker == 0xEE && length >= 12 && startsWith(jpeg, data, "Adobe")) {
        adobe = jpeg[data + 11] & 0xFF;
      }
      pos += 2 + length;
    }
  }

  private static boolean startsWith(byte[] bytes, int at, String text) {
    byte[] expected = text.getBytes(StandardCharsets.ISO_8859_1);
    if (at + expected.length > bytes.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (bytes[at + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  public boolean progressive() {
    return frameType == 2 || frameType == 6 || frameType == 10 || frameType == 14;
  }

  /** The colour model, as libjpeg decides it: by component count, Adobe's flag, JFIF, component ids. */
  public Colour colour() {
    return switch (ids.length) {
      case 1 -> Colour.GRAY;
      case 3 -> {
        if (adobeTransform == 0) {
          yield Colour.RGB;
        }
        if (adobeTransform > 0 || jfif) {
          yield Colour.YCBCR;
        }
        yield ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B' ? Colour.RGB : Colour.YCBCR;
      }
      default -> Colour.CMYK;
    };
  }

  /** How chroma is sampled against luma, e.g. {@code 4:2:0}; "" for other than three components. */
  public String sampling() {
    if (ids.length != 3) {
      return "";
    }
    int h = horizontal[0] / Math.max(1, horizontal[1]);
    int v = vertical[0] / Math.max(1, vertical[1]);
    if (h == 2 && v == 2) {
      return "4:2:0";
    }
    if (h == 2 && v == 1) {
      return "4:2:2";
    }
    if (h == 1 && v == 1) {
      return "4:4:4";
    }
    if (h == 1 && v == 2) {
      return "4:4:0";
    }
    return String.format(Locale.ROOT, "%dx%d,%dx%d,%dx%d", horizontal[0], vertical[0], horizontal[1], vertical[1],
        horizontal[2], vertical[2]);
  }

  /** Why the gateway cannot decode this JPEG, or null when it can. */
  public String unsupported() {
    String kind = switch (frameType) {
      case 0, 1, 2 -> null;
      case 3 -> "lossless";
      case 5, 6, 7 -> "hierarchical";
      default -> "arithmetic-coded";
    };
    if (kind != null) {
      return "the camera sends " + kind + " JPEGs, which the gateway cannot decode";
    }
    if (precision != 8) {
      return "the camera sends " + precision + "-bit JPEGs; only 8-bit ones can be decoded";
    }
    if (ids.length != 1 && ids.length != 3) {
      return "the camera sends JPEGs with " + ids.length + " colour components (CMYK?); only grey and colour ones can be decoded";
    }
    return null;
  }

  @Override
  public String toString() {
    return width + "x" + height + (progressive() ? " progressive" : "") + " " + colour().name().toLowerCase(Locale.ROOT)
        + (sampling().isEmpty() ? "" : " " + sampling());
  }
}
