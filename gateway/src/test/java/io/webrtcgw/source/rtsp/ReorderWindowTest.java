package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderWindowTest {
  private static final long MS = 1_000_000;
  private final List<String> out = new ArrayList<>();

  private ReorderWindow window(int capacity) {
    return new ReorderWindow(capacity, 10 * MS, (packet, gap) -> out.add(packet.sequence() + (gap ? "!" : "")));
  }

  private static RtpPacket packet(int sequence, long ssrc, long arrivalNanos) {
    byte[] bytes = new byte[13];
    bytes[0] = (byte) 0x80;
    bytes[1] = 96;
    bytes[2] = (byte) (sequence >> 8);
    bytes[3] = (byte) sequence;
    bytes[8] = (byte) (ssrc >> 24);
    bytes[9] = (byte) (ssrc >> 16);
    bytes[10] = (byte) (ssrc >> 8);
    bytes[11] = (byte) ssrc;
    bytes[12] = 1;
    return RtpPacket.parse(bytes, 0, bytes.length, arrivalNanos);
  }

  private static RtpPacket packet(int sequence, long arrivalNanos) {
    return packet(sequence, 1, arrivalNanos);
  }

  @Test
  void putsASwappedPairBackInOrder() {
    ReorderWindow window = window(8);
    window.add(packet(10, 0));
    window.add(packet(12, 1));
    window.add(packet(11, 2));
    window.add(packet(13, 3));
    assertEquals(List.of("10", "11", "12", "13"), out);
    assertEquals(0, window.lost());
    assertEquals(-1, window.release(100 * MS), "nothing held");
  }

  @Test
  void aGapHeldPastItsTimeCountsAsLoss() {
    ReorderWindow window = window(8);
    window.add(packet(100, 0));
    window.add(packet(102, 1 * MS));
    window.add(packet(103, 2 * MS));
    assertEquals(List.of("100"), out);
    assertEquals(9 * MS, window.release(2 * MS), "held until 10 ms after 102 arrived");
    assertEquals(-1, window.release(11 * MS));
    assertEquals(List.of("100", "102!", "103"), out);
    assertEquals(1, window.lost());
    window.add(packet(101, 12 * MS));
    assertEquals(1, window.late(), "too late: its place was given up");
    assertEquals(List.of("100", "102!", "103"), out);
  }

  @Test
  void aFullWindowGivesUpTheGapAtOnce() {
    ReorderWindow window = window(3);
    window.add(packet(1, 0));
    for (int seq = 5; seq <= 8; seq++) {
      window.add(packet(seq, 0));
    }
    assertEquals(List.of("1", "5!", "6", "7", "8"), out);
    assertEquals(3, window.lost());
  }

  @Test
  void overTcpEveryGapIsLossAtOnce() {
    ReorderWindow window = window(0);
    window.add(packet(65534, 0));
    window.add(packet(65535, 0));
    window.add(packet(2, 0));
    window.add(packet(3, 0));
    assertEquals(List.of("65534", "65535", "2!", "3"), out, "across the wrap");
    assertEquals(2, window.lost());
  }

  @Test
  void duplicatesAreDroppedAndWrapAroundIsOrderly() {
    ReorderWindow window = window(8);
    window.add(packet(65535, 0));
    window.add(packet(1, 0));
    window.add(packet(1, 0));
    window.add(packet(0, 0));
    window.add(packet(0, 0));
    assertEquals(List.of("65535", "0", "1"), out);
    assertEquals(2, window.late());
    assertEquals(0, window.lost());
  }

  @Test
  void aNewSenderOrAHugeJumpStartsOverWithoutCountingLoss() {
    ReorderWindow window = window(8);
    window.add(packet(10, 1, 0));
    window.add(packet(11, 1, 0));
    window.add(packet(5000, 2, 0));
    window.add(packet(5001, 2, 0));
    window.add(packet(40000, 2, 0));
    assertEquals(List.of("10", "11", "5000!", "5001", "40000!"), out);
    assertEquals(0, window.lost());
    window.reset();
    window.add(packet(7, 3, 0));
    assertEquals("7", out.get(out.size() - 1), "after a reset the first packet has no gap");
  }

  @Test
  void malformedPacketsAreNotPackets() {
    assertNull(RtpPacket.parse(new byte[11], 0, 11, 0), "shorter than a header");
    byte[] version1 = new byte[20];
    version1[0] = 0x40;
    assertNull(RtpPacket.parse(version1, 0, 20, 0));
    byte[] csrcs = new byte[20];
    csrcs[0] = (byte) 0x8F;
    assertNull(RtpPacket.parse(csrcs, 0, 20, 0), "15 CSRCs do not fit");
    byte[] padding = new byte[14];
    padding[0] = (byte) 0xA0;
    padding[13] = 5;
    assertNull(RtpPacket.parse(padding, 0, 14, 0), "more padding than payload");
    byte[] extension = new byte[20];
    extension[0] = (byte) 0x90;
    extension[14] = 0;
    extension[15] = 9;
    assertNull(RtpPacket.parse(extension, 0, 20, 0), "an extension past the end");
    assertNull(RtpPacket.parse(new byte[20], 10, 20, 0), "bounds past the array");
  }

  @Test
  void headerFieldsOfACapturedPacket() {
    byte[] bytes = Captures.packets("gst-stap-fua.hex").get(2);
    RtpPacket packet = Captures.parse(bytes, 42);
    assertEquals(96, packet.payloadType());
    assertEquals(true, packet.marker());
    assertEquals(31904, packet.sequence());
    assertEquals(2981853178L, packet.timestamp());
    assertEquals(12, packet.payloadOffset());
    assertEquals(bytes.length - 12, packet.payloadLength());
    assertEquals(28, packet.payload(0) & 0x1F, "FU-A");
    assertEquals(42, packet.arrivalNanos());
  }
}
