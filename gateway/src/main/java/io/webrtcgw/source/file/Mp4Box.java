package io.webrtcgw.source.file;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One ISO BMFF box of the index, read strictly: every size must fit its parent, so damaged bytes
 * end in an exception instead of a loop. JCodec's own box parser is not used on the index because
 * a box whose 64-bit size is smaller than its header makes it step backwards forever, filling the
 * heap.
 */
record Mp4Box(String type, ByteBuffer body) {
  /** Boxes playback never reads, so damage in them need not stop it. */
  private static final Set<String> IGNORED = Set.of("udta", "meta", "free", "skip", "uuid", "edts");

  /** The boxes that fill {@code data} from its position to its limit. */
  static List<Mp4Box> children(ByteBuffer data) {
    ByteBuffer in = data.slice();
    List<Mp4Box> boxes = new ArrayList<>();
    while (in.remaining() >= 8) {
      int start = in.position();
      long size = Integer.toUnsignedLong(in.getInt());
      byte[] fourcc = new byte[4];
      in.get(fourcc);
      int header = 8;
      if (size == 1) {
        if (in.remaining() < 8) {
          throw new IllegalArgumentException("a box header is cut off");
        }
        size = in.getLong();
        header = 16;
      } else if (size == 0) {
        size = in.limit() - start;
      }
      String type = new String(fourcc, StandardCharsets.ISO_8859_1);
      if (size < header || size > in.limit() - start) {
        if (IGNORED.contains(type)) {
          // Other players skip damaged metadata too; what was read before it is still good.
          break;
        }
        throw new IllegalArgumentException("box '" + printable(type) + "' has a size of " + size
            + " where " + (in.limit() - start) + " bytes are left");
      }
      boxes.add(new Mp4Box(type, in.slice(start + header, (int) size - header)));
      in.position(start + (int) size);
    }
    return boxes;
  }

  List<Mp4Box> children() {
    return children(body);
  }

  /** The first child of {@code type}, or null. */
  Mp4Box child(String type) {
    for (Mp4Box box : children()) {
      if (box.type.equals(type)) {
        return box;
      }
    }
    return null;
  }

  /** The box at the end of {@code path} (one type per level below this one), or null. */
  Mp4Box find(String... path) {
    Mp4Box box = this;
    for (String type : path) {
      box = box.child(type);
      if (box == null) {
        return null;
      }
    }
    return box;
  }

  /** The body, checked to hold at least {@code bytes}. */
  ByteBuffer head(int bytes) {
    if (bytes > body.remaining()) {
      throw new IllegalArgumentException("box '" + printable(type) + "' is too short");
    }
    return body.duplicate();
  }

  /** The body from {@code offset} on; throws if the body is shorter. */
  ByteBuffer from(int offset) {
    if (offset > body.remaining()) {
      throw new IllegalArgumentException("box '" + printable(type) + "' is too short");
    }
    return body.slice(offset, body.remaining() - offset);
  }

  /** The body of a full box (past its version and flags), with room checked for the table that follows. */
  ByteBuffer table(int headerBytes, int entryBytes, long count) {
    ByteBuffer rest = from(headerBytes);
    if (count < 0 || count * entryBytes > rest.remaining()) {
      throw new IllegalArgumentException("its '" + printable(type) + "' table claims " + count
          + " entries but has room for " + rest.remaining() / Math.max(1, entryBytes));
    }
    return rest;
  }

  int version() {
    return body.remaining() == 0 ? 0 : body.get(0) & 0xFF;
  }

  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c <= 0x7E ? c : '?');
    }
    return out.toString();
  }
}
