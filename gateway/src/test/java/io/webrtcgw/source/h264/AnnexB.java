package io.webrtcgw.source.h264;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a raw H.264 stream (start codes, as {@code ffmpeg -f h264} writes it) into NAL units and
 * access units, as an RTP depacketizer would hand them on: test input for decoders.
 */
public final class AnnexB {
  private AnnexB() {}

  /** The stream's NAL units, each header byte first, without start codes. */
  public static List<byte[]> nalUnits(byte[] stream) {
    List<byte[]> units = new ArrayList<>();
    int start = -1;
    int i = 0;
    while (i + 2 < stream.length) {
      if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
        if (start >= 0) {
          units.add(trimmed(stream, start, i));
        }
        i += 3;
        start = i;
      } else {
        i++;
      }
    }
    if (start >= 0 && start < stream.length) {
      units.add(Arrays.copyOfRange(stream, start, stream.length));
    }
    return units;
  }

  /** Drops the zero of a four-byte start code that belongs to the next unit. */
  private static byte[] trimmed(byte[] stream, int from, int to) {
    int end = to;
    while (end > from && stream[end - 1] == 0) {
      end--;
    }
    return Arrays.copyOfRange(stream, from, end);
  }

  /**
   * Groups NAL units into access units: a unit that is not a slice (parameter sets, SEI, delimiter)
   * after a slice, or a slice whose first macroblock is 0, starts the next one.
   */
  public static List<List<byte[]>> accessUnits(List<byte[]> units) {
    List<List<byte[]>> out = new ArrayList<>();
    List<byte[]> current = new ArrayList<>();
    boolean sliceSeen = false;
    for (byte[] unit : units) {
      int type = unit[0] & 0x1F;
      boolean slice = type == 1 || type == 5;
      boolean firstMb = slice && unit.length > 1 && (unit[1] & 0x80) != 0;
      if (sliceSeen && (!slice || firstMb)) {
        out.add(current);
        current = new ArrayList<>();
        sliceSeen = false;
      }
      current.add(unit);
      sliceSeen |= slice;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  public static List<ByteBuffer> buffers(List<byte[]> units) {
    return units.stream().map(unit -> ByteBuffer.wrap(unit.clone())).toList();
  }
}
