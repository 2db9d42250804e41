package io.webrtcgw.source.rtsp;

/**
 * One RTP packet (RFC 3550): the header fields a receiver uses and where the payload lies in the
 * bytes it came in. The bytes are shared, not copied; nobody writes to them after parsing.
 *
 * @param timestamp the 32-bit media timestamp, as an unsigned value
 * @param ssrc the 32-bit source identifier, as an unsigned value
 * @param arrivalNanos when the packet arrived, on {@link System#nanoTime}'s axis
 */
public record RtpPacket(boolean marker, int payloadType, int sequence, long timestamp, long ssrc,
    byte[] data, int payloadOffset, int payloadLength, long arrivalNanos) {

  /**
   * Parses {@code length} bytes of {@code data} from {@code offset}. Returns null when they are
   * not a well-formed RTP version 2 packet; never throws for any bytes.
   */
  public static RtpPacket parse(byte[] data, int offset, int length, long arrivalNanos) {
    if (data == null || offset < 0 || length < 12 || offset + length > data.length) {
      return null;
    }
    int b0 = data[offset] & 0xFF;
    if (b0 >> 6 != 2) {
      return null;
    }
    boolean padding = (b0 & 0x20) != 0;
    boolean extension = (b0 & 0x10) != 0;
    int csrcs = b0 & 0x0F;
    int b1 = data[offset + 1] & 0xFF;
    int sequence = ((data[offset + 2] & 0xFF) << 8) | (data[offset + 3] & 0xFF);
    long timestamp = readUnsigned32(data, offset + 4);
    long ssrc = readUnsigned32(data, offset + 8);
    int header = 12 + 4 * csrcs;
    if (header > length) {
      return null;
    }
    if (extension) {
      if (header + 4 > length) {
        return null;
      }
      int words = ((data[offset + header + 2] & 0xFF) << 8) | (data[offset + header + 3] & 0xFF);
      header += 4 + 4 * words;
      if (header > length) {
        return null;
      }
    }
    int payloadLength = length - header;
    if (padding) {
      if (payloadLength == 0) {
        return null;
      }
      int pad = data[offset + length - 1] & 0xFF;
      if (pad == 0 || pad > payloadLength) {
        return null;
      }
      payloadLength -= pad;
    }
    return new RtpPacket((b1 & 0x80) != 0, b1 & 0x7F, sequence, timestamp, ssrc, data, offset + header,
        payloadLength, arrivalNanos);
  }

  /** The payload byte at {@code index}, 0..255. */
  public int payload(int index) {
    return data[payloadOffset + index] & 0xFF;
  }

  private static long readUnsigned32(byte[] data, int at) {
    return ((long) (data[at] & 0xFF) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8)
        | (data[at + 3] & 0xFF);
  }
}
