package io.webrtcgw.source.h264;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between the gateway and a decoder process, over a Unix-domain socket: big-endian,
 * each starting with its type and the lane it is for. A process decodes for up to {@link
 * #MAX_LANES} lanes of one stream at once, each with a decoder and a thread of its own; the
 * gateway sends each lane one request at a time, and the process answers each lane's requests in
 * order (answers of different lanes may interleave, each message whole).
 *
 * <pre>
 * OPEN        lane, rotation, units sps, units pps          (no answer)
 * DECODE      lane, pts, flags, units                       -> PICTURE, NO_PICTURE, DAMAGED or UNSUPPORTED
 * RESET       lane                                          (no answer)
 * PICTURE     lane, pts, width, height, copied, Y, U, V     copied: bytes the process copied making it
 * NO_PICTURE  lane, pts
 * DAMAGED     lane, reason
 * UNSUPPORTED lane, reason
 * flags:      DISCARD: decode for the references only, answer NO_PICTURE
 * units:      count, then each unit as length and bytes
 * </pre>
 */
final class SandboxProtocol {
  // Gateway to process.
  static final int OPEN = 1;
  static final int DECODE = 2;
  static final int RESET = 3;
  /** DECODE flag: the picture is not wanted, only the decoder's references. */
  static final int DISCARD = 1;
  // Process to gateway.
  static final int PICTURE = 11;
  static final int NO_PICTURE = 12;
  static final int DAMAGED = 13;
  static final int UNSUPPORTED = 14;
  /** Bounds what a damaged or hostile stream can make either side allocate. */
  static final int MAX_UNITS = 4096;
  static final int MAX_UNIT_BYTES = 16 * 1024 * 1024;
  static final int MAX_SIDE = 8192;
  static final int MAX_LANES = 16;

  private SandboxProtocol() {}

  static void writeUnits(SandboxChannel out, List<ByteBuffer> units) throws IOException {
    out.writeInt(units.size());
    for (ByteBuffer unit : units) {
      out.writeInt(unit.remaining());
      out.write(unit);
    }
  }

  /** Reads units into arrays of their own: the decoder unescapes them in place, on another thread. */
  static List<ByteBuffer> readUnits(SandboxChannel in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_UNITS) {
      throw new IOException("bad unit count " + count);
    }
    List<ByteBuffer> units = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = in.readInt();
      if (length < 0 || length > MAX_UNIT_BYTES) {
        throw new IOException("bad unit length " + length);
      }
      byte[] bytes = new byte[length];
      in.readFully(bytes, 0, length);
      units.add(ByteBuffer.wrap(bytes));
    }
    return units;
  }

  static int lane(int lane) throws IOException {
    if (lane < 0 || lane >= MAX_LANES) {
      throw new IOException("bad lane " + lane);
    }
    return lane;
  }

  static void checkSize(int width, int height) throws IOException {
    if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new IOException("bad picture size " + width + "x" + height);
    }
  }

  /** Bytes of a tightly packed I420 picture. */
  static long pictureBytes(int width, int height) {
    return (long) width * height + 2L * ((width + 1) / 2) * ((height + 1) / 2);
  }
}
