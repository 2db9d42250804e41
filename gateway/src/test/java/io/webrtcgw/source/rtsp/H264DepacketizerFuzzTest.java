package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Damaged RTP never breaks the receive path. Seeded random mutations of the captured streams
 * ({@code -Dgateway.fuzz.seed}, {@code -Dgateway.fuzz.rounds}) go through the packet parser, the
 * reorder window and the depacketizer, which must never throw and must only ever hand on access
 * units that hold whole NAL units. Inputs that once broke it are kept in {@code
 * rtsp/fuzz/depacketizer/} and replayed first; a failing seed prints the packets to add there.
 */
class H264DepacketizerFuzzTest {
  private static final Logger log = LoggerFactory.getLogger(H264DepacketizerFuzzTest.class);
  private static final long SEED = Long.getLong("gateway.fuzz.seed", 20261201L);
  private static final int ROUNDS = Integer.getInteger("gateway.fuzz.rounds", 3000);
  private static final List<String> CORPUS = List.of(
      "annexb-start-code-payload.hex", "fu-a-start-and-end.hex", "stap-a-size-past-end.hex",
      "fu-a-without-header.hex", "padding-longer-than-payload.hex");

  @Test
  void replaysTheInputsThatOnceBrokeIt() throws IOException {
    for (String name : CORPUS) {
      List<byte[]> packets = new ArrayList<>();
      try (InputStream in = getClass().getClassLoader().getResourceAsStream("rtsp/fuzz/depacketizer/" + name)) {
        assertTrue(in != null, "corpus file " + name);
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            packets.add(HexFormat.of().parseHex(line.trim()));
          }
        }
      }
      assertFalse(packets.isEmpty(), name);
      run(packets, 0, name);
      run(packets, 8, name);
    }
  }

  @Test
  void seededMutationsNeverBreakTheReceivePath() {
    List<List<byte[]>> captures = List.of(
        Captures.packets("gst-stap-fua.hex"), Captures.packets("gst-single-fua.hex"));
    Random random = new Random(SEED);
    long units = 0;
    for (int round = 0; round < ROUNDS; round++) {
      List<byte[]> packets = mutate(captures.get(random.nextInt(captures.size())), random);
      try {
        units += run(packets, random.nextBoolean() ? 0 : 1 + random.nextInt(16), "round " + round);
      } catch (Throwable t) {
        StringBuilder corpus = new StringBuilder();
        for (byte[] packet : packets) {
          corpus.append(HexFormat.of().formatHex(packet)).append('\n');
        }
        fail("seed " + SEED + ", round " + round + " broke the receive path (" + t + "); add to the corpus:\n"
            + corpus, t);
      }
    }
    log.info("fuzz seed {}: {} rounds, {} access units handed on", SEED, ROUNDS, units);
    assertNotEquals(0, units, "some rounds must still decode to access units, or the mutations test nothing");
  }

  /** Runs packets through parser, window and depacketizer; returns how many units came out. */
  private static long run(List<byte[]> packets, int window, String what) {
    List<AccessUnit> out = new ArrayList<>();
    H264Depacketizer depacketizer = new H264Depacketizer(out::add);
    ReorderWindow reorder = new ReorderWindow(window, 5_000_000, depacketizer::push);
    long now = 0;
    for (byte[] bytes : packets) {
      now += 1_000_000;
      RtpPacket packet = RtpPacket.parse(bytes, 0, bytes.length, now);
      if (packet != null) {
        reorder.add(packet);
      }
      reorder.release(now);
    }
    reorder.release(Long.MAX_VALUE / 2);
    for (AccessUnit unit : out) {
      assertFalse(unit.nalUnits().isEmpty(), what + ": an empty access unit");
      assertTrue(unit.size() <= H264Depacketizer.MAX_ACCESS_UNIT_BYTES, what + ": an oversized access unit");
      for (byte[] nal : unit.nalUnits()) {
        assertTrue(nal.length > 0 && nal[0] != 0, what + ": a NAL unit that is not one");
      }
    }
    return out.size();
  }

  private static List<byte[]> mutate(List<byte[]> capture, Random random) {
    List<byte[]> packets = new ArrayList<>();
    for (byte[] packet : capture) {
      packets.add(packet.clone());
    }
    int mutations = 1 + random.nextInt(6);
    for (int m = 0; m < mutations && !packets.isEmpty(); m++) {
      int index = random.nextInt(packets.size());
      byte[] packet = packets.get(index);
      switch (random.nextInt(9)) {
        case 0 -> {
          if (packet.length > 0) {
            packet[random.nextInt(packet.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> packets.set(index, java.util.Arrays.copyOf(packet, random.nextInt(packet.length + 1)));
        case 2 -> packets.remove(index);
        case 3 -> packets.add(random.nextInt(packets.size() + 1), packet.clone());
        case 4 -> {
          int other = random.nextInt(packets.size());
          packets.set(index, packets.get(other));
          packets.set(other, packet);
        }
        case 5 -> {
          byte[] noise = new byte[random.nextInt(1500)];
          random.nextBytes(noise);
          if (noise.length > 0) {
            noise[0] = (byte) (0x80 | (noise[0] & 0x3F));
          }
          packets.add(random.nextInt(packets.size() + 1), noise);
        }
        case 6 -> {
          if (packet.length > 13) {
            packet[13] = (byte) random.nextInt(256); // FU header or first STAP-A size byte
          }
        }
        case 7 -> {
          if (packet.length > 12) {
            packet[12] = (byte) ((packet[12] & 0xE0) | random.nextInt(32)); // another NAL or packet type
          }
        }
        default -> {
          if (packet.length > 1) {
            packet[1] ^= (byte) 0x80; // the marker
          }
        }
      }
    }
    return packets;
  }
}
