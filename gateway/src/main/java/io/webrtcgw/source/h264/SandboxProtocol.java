package io.webrtcgw.source.h264;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between the gateway and a decoder process, on the process's standard input and
 * output: big-endian, each starting with its type. The gateway sends one request at a time and
 * the process answers each before the next.
 */
final class SandboxProtocol {
  // Gateway to process.
  static final int OPEN = 1;
  static final int DECODE = 2;
  static final int RESET = 3;
  // Process to gateway.
  static final int PICTURE = 11;
  static final int NO_PICTURE = 12;
  static final int DAMAGED = 13;
  static final int UNSUPPORTED = 14;
  /** Bounds what a damaged or hostile stream can make either side allocate. */
  static final int MAX_UNITS = 4096;
  static final int MAX_UNIT_BYTES = 16 * 1024 * 1024;
  static final int MAX_SIDE = 8192;

  private SandboxProtocol() {}

  static void writeUnits(DataOutputStream out, List<ByteBuffer> units) throws IOException {
    out.writeInt(units.size());
    for (ByteBuffer unit : units) {
      ByteBuffer data = unit.duplicate();
      out.writeInt(data.remaining());
      if (data.hasArray()) {
        out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
      } else {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        out.write(bytes);
      }
    }
  }

  static List<ByteBuffer> readUnits(DataInputStream in) throws IOException {
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
      in.readFully(bytes);
      units.add(ByteBuffer.wrap(bytes));
    }
    return units;
  }

  static void writePicture(DataOutputStream out, DecodedPicture picture) throws IOException {
    out.writeInt(PICTURE);
    out.writeLong(picture.pts());
    out.writeInt(picture.width());
    out.writeInt(picture.height());
    out.write(picture.y());
    out.write(picture.u());
    out.write(picture.v());
  }

  /** Reads the rest of a {@link #PICTURE} message, whose type has been read. */
  static DecodedPicture readPicture(DataInputStream in) throws IOException {
    long pts = in.readLong();
    int width = in.readInt();
    int height = in.readInt();
    if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new IOException("bad picture size " + width + "x" + height);
    }
    int chroma = ((width + 1) / 2) * ((height + 1) / 2);
    byte[] y = new byte[width * height];
    byte[] u = new byte[chroma];
    byte[] v = new byte[chroma];
    in.readFully(y);
    in.readFully(u);
    in.readFully(v);
    return new DecodedPicture(pts, width, height, y, u, v);
  }
}
