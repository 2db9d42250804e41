package io.webrtcgw.source.h264;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;

/**
 * Gets a fresh decoder process's JIT going before a stream needs it: decodes a short stream over
 * and over for a fraction of a second, so that the stream that takes the process over does not
 * get its first pictures from interpreted code. The stream ({@code h264/warmup.h264}: 320x180,
 * 30 frames of ffmpeg's testsrc2, x264 High profile with B-frames and CABAC, access units
 * delimited) exercises what IP cameras and files mostly send.
 */
final class Warmup {
  private static final String RESOURCE = "h264/warmup.h264";
  private static final long BUDGET_NANOS = 800_000_000L;
  private static final int NAL_ACCESS_UNIT_DELIMITER = 9;

  private static volatile boolean stopped;

  private Warmup() {}

  /** Ends the warm-up after the unit it is decoding. */
  static void stop() {
    stopped = true;
  }

  static void run() {
    try {
      List<List<ByteBuffer>> units = accessUnits(load());
      long end = System.nanoTime() + BUDGET_NANOS;
      while (System.nanoTime() < end && !stopped) {
        LocalDecoder decoder = new LocalDecoder(new StreamDecoder.Spec("warm-up", Rotation.NONE, List.of(), List.of(),
            java.time.Duration.ZERO));
        for (int i = 0; i < units.size() && !stopped; i++) {
          decoder.decode(copies(units.get(i)), 0);
        }
      }
    } catch (IOException | DecodeException | RuntimeException e) {
      // Only the warmth is lost: the first real frames decode slower.
      System.err.println("decoder warm-up failed: " + e);
    }
  }

  private static byte[] load() throws IOException {
    try (InputStream in = Warmup.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("the gateway jar lacks " + RESOURCE);
      }
      return in.readAllBytes();
    }
  }

  /** The access units of an Annex B stream that delimits them. */
  private static List<List<ByteBuffer>> accessUnits(byte[] stream) {
    List<List<ByteBuffer>> units = new ArrayList<>();
    ByteBuffer data = ByteBuffer.wrap(stream);
    ByteBuffer nal;
    while ((nal = H264Utils.nextNALUnit(data)) != null) {
      if (!nal.hasRemaining()) {
        continue;
      }
      if ((nal.get(nal.position()) & 0x1F) == NAL_ACCESS_UNIT_DELIMITER || units.isEmpty()) {
        units.add(new ArrayList<>());
      }
      units.get(units.size() - 1).add(nal.duplicate());
    }
    return units;
  }

  private static List<ByteBuffer> copies(List<ByteBuffer> unit) {
    List<ByteBuffer> copies = new ArrayList<>(unit.size());
    for (ByteBuffer nal : unit) {
      // JCodec unescapes what it reads in place.
      ByteBuffer copy = ByteBuffer.allocate(nal.remaining());
      copy.put(nal.duplicate()).flip();
      copies.add(copy);
    }
    return copies;
  }
}
