package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.h264.AccessUnitDecoder;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.H264PictureDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6184 depacketization of captured GStreamer streams, and what happens at gaps and odd packets. */
class H264DepacketizerTest {
  private final List<AccessUnit> units = new ArrayList<>();
  private final H264Depacketizer depacketizer = new H264Depacketizer(units::add);
  private final ReorderWindow window = new ReorderWindow(0, 0, depacketizer::push);

  private void feed(List<byte[]> packets) {
    for (byte[] bytes : packets) {
      window.add(Captures.parse(bytes, System.nanoTime()));
    }
  }

  private static List<Integer> types(AccessUnit unit) {
    return unit.nalUnits().stream().map(nal -> nal[0] & 0x1F).toList();
  }

  private static List<DecodedPicture> decode(List<AccessUnit> units) throws Exception {
    AccessUnitDecoder decoder = new AccessUnitDecoder(H264PictureDecoder::new);
    List<DecodedPicture> pictures = new ArrayList<>();
    for (AccessUnit unit : units) {
      List<ByteBuffer> nals = unit.nalUnits().stream().map(ByteBuffer::wrap).toList();
      DecodedPicture picture = decoder.decode(nals, unit.timestamp());
      if (picture != null) {
        pictures.add(picture);
      }
    }
    return pictures;
  }

  @Test
  void stapAAndFuACaptureBecomesAccessUnitsThatDecode() throws Exception {
    feed(Captures.packets("gst-stap-fua.hex"));
    assertEquals(12, units.size());
    assertEquals(List.of(9, 7, 8, 6, 7, 8, 5), types(units.get(0)), "STAP-A then an IDR in two FU-A fragments");
    assertTrue(units.get(0).idr());
    assertEquals(List.of(9, 1), types(units.get(1)));
    assertEquals(List.of(9, 7, 8, 7, 8, 5), types(units.get(5)), "an IDR inside a STAP-A");
    List<DecodedPicture> pictures = decode(units);
    assertEquals(12, pictures.size());
    assertEquals(160, pictures.get(0).width());
    assertEquals(120, pictures.get(0).height());
    assertEquals(0, depacketizer.dropped() + depacketizer.refused() + depacketizer.malformed());
  }

  @Test
  void singleNalUnitCaptureBecomesAccessUnitsThatDecode() throws Exception {
    List<byte[]> packets = Captures.packets("gst-single-fua.hex");
    feed(packets);
    assertEquals(List.of(9, 7, 8, 6, 7, 8, 5), types(units.get(0)));
    assertEquals(List.of(9, 1), types(units.get(1)));
    assertEquals(units.size(), decode(units).size());
    assertTrue(units.size() >= 8);
    assertTrue(units.get(0).reference());
    long firstTimestamp = Captures.parse(packets.get(0), 0).timestamp();
    assertEquals(firstTimestamp, units.get(0).timestamp());
  }

  @Test
  void aLostFragmentDropsEverythingUntilTheNextIdrAndCountsIt() throws Exception {
    List<byte[]> packets = new ArrayList<>(Captures.packets("gst-stap-fua.hex"));
    packets.remove(1); // the first FU-A fragment of the first IDR
    feed(packets);
    assertEquals(1, window.lost());
    // The IDR and the four P-frames that refer to it are given up; the stream resumes at the next IDR.
    assertEquals(5, depacketizer.dropped());
    assertEquals(7, units.size());
    assertTrue(units.get(0).idr());
    assertEquals(List.of(9, 7, 8, 7, 8, 5), types(units.get(0)));
    assertEquals(7, decode(units).size());
  }

  @Test
  void aLostMarkerPacketEndsTheUnitAtTheNextTimestamp() {
    List<byte[]> packets = new ArrayList<>(Captures.packets("gst-single-fua.hex"));
    for (byte[] packet : packets) {
      packet[1] &= 0x7F; // no marker bits at all
    }
    feed(packets);
    assertEquals(List.of(9, 7, 8, 6, 7, 8, 5), types(units.get(0)), "ended by the next unit's timestamp");
    assertEquals(0, depacketizer.dropped());
  }

  /** An RTP packet with sequence {@code seq}, timestamp {@code ts} and {@code payload}. */
  private static RtpPacket rtp(int seq, long ts, boolean marker, int... payload) {
    byte[] bytes = new byte[12 + payload.length];
    bytes[0] = (byte) 0x80;
    bytes[1] = (byte) ((marker ? 0x80 : 0) | 96);
    bytes[2] = (byte) (seq >> 8);
    bytes[3] = (byte) seq;
    bytes[4] = (byte) (ts >> 24);
    bytes[5] = (byte) (ts >> 16);
    bytes[6] = (byte) (ts >> 8);
    bytes[7] = (byte) ts;
    for (int i = 0; i < payload.length; i++) {
      bytes[12 + i] = (byte) payload[i];
    }
    return RtpPacket.parse(bytes, 0, bytes.length, 0);
  }

  @Test
  void refusesPacketTypesOfModeTwoAndCountsThem() {
    depacketizer.push(rtp(1, 1000, true, 0x65, 0x88, 0x84), false); // a whole IDR slice
    depacketizer.push(rtp(2, 2000, true, 0x19, 0, 1, 0x41), false); // STAP-B
    depacketizer.push(rtp(3, 3000, true, 0x1A, 0, 0, 0), false); // MTAP16
    depacketizer.push(rtp(4, 4000, true, 0x1D, 0x81, 0x01), false); // FU-B
    depacketizer.push(rtp(5, 5000, true, 0x1E, 0x01), false); // reserved
    depacketizer.push(rtp(6, 6000, true, 0x41, 0x9A), false); // a P slice: after refusals, not decodable
    depacketizer.push(rtp(7, 7000, true, 0x65, 0x88, 0x80), false);
    assertEquals(4, depacketizer.refused());
    assertEquals(2, units.size());
    assertTrue(units.get(1).idr(), "decoding resumes at the next IDR");
  }

  @Test
  void oddButUsablePackets() {
    // FU-A with start and end set at once (some cameras do it for small slices).
    depacketizer.push(rtp(1, 1000, true, 0x7C, 0xC5, 0x88, 0x84), false);
    assertEquals(1, units.size());
    assertArrayEquals(new byte[] {0x65, (byte) 0x88, (byte) 0x84}, units.get(0).nalUnits().get(0));
    // NAL units with start codes inside a single-NAL payload.
    depacketizer.push(rtp(2, 2000, true, 0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE, 0, 0, 1, 0x65, 0x88), false);
    assertEquals(List.of(7, 8, 5), types(units.get(1)));
    // STAP-A with zero padding at its end.
    depacketizer.push(rtp(3, 3000, true, 0x18, 0, 2, 0x41, 0x9A, 0, 0, 0, 0), false);
    assertEquals(List.of(1), types(units.get(2)));
    assertEquals(0, depacketizer.malformed());
  }

  @Test
  void malformedPayloadsBreakTheUnitNotTheDepacketizer() {
    depacketizer.push(rtp(1, 1000, true, 0x65, 0x88), false);
    depacketizer.push(rtp(2, 2000, true, 0x18, 0, 9, 0x41), false); // STAP-A size past the end
    depacketizer.push(rtp(3, 3000, true), false); // empty payload
    depacketizer.push(rtp(4, 4000, true, 0x1C), false); // FU-A without its header
    depacketizer.push(rtp(5, 5000, false, 0x7C, 0x05, 1, 2), false); // FU-A middle without a start
    depacketizer.push(rtp(6, 6000, true, 0x65, 0x88), false);
    assertEquals(3, depacketizer.malformed());
    assertEquals(2, units.size());
  }
}
