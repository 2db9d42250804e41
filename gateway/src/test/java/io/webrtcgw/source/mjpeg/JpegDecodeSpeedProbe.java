package io.webrtcgw.source.mjpeg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.source.I420Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The benchmark's JPEG decode-speed probe, a process of its own so it can be pinned to one core
 * ({@code taskset -c 0}): decodes the JPEGs of each directory given, round and round, into I420
 * with the JDK's reader (what the gateway uses) and with JCodec, after a warm-up, in several
 * windows. Prints one JSON line: per decoder and directory, the picture size and frames per
 * second in each window.
 *
 * <p>Arguments: window seconds, windows, then directories of {@code *.jpg}.
 */
public final class JpegDecodeSpeedProbe {
  private JpegDecodeSpeedProbe() {}

  public static void main(String[] args) throws Exception {
    // JCodec warns on every JPEG's SOI marker, on standard output where the result goes.
    org.jcodec.common.logging.Logger.addSink(message -> { });
    double window = Double.parseDouble(args[0]);
    int windows = Integer.parseInt(args[1]);
    ObjectNode result = new ObjectMapper().createObjectNode();
    ArrayNode runs = result.putArray("runs");
    for (int i = 2; i < args.length; i++) {
      List<byte[]> jpegs = new ArrayList<>();
      try (Stream<Path> files = Files.list(Path.of(args[i]))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
          jpegs.add(Files.readAllBytes(file));
        }
      }
      for (String name : List.of("imageio", "jcodec")) {
        Supplier<JpegDecoder> decoders = name.equals("imageio") ? ImageIoJpegDecoder::new : JCodecJpegDecoder::new;
        runs.add(measure(name, decoders, jpegs, window, windows));
      }
    }
    System.out.println(result);
  }

  private static ObjectNode measure(String name, Supplier<JpegDecoder> decoders, List<byte[]> jpegs, double window,
      int windows) throws JpegException {
    ObjectNode run = new ObjectMapper().createObjectNode().put("decoder", name);
    ArrayNode fps = run.putArray("fps");
    try (JpegDecoder decoder = decoders.get()) {
      I420Frame first = decoder.decode(jpegs.get(0), 0, 0);
      run.put("size", first.width() + "x" + first.height()).put("jpegs", jpegs.size())
          .put("meanJpegBytes", jpegs.stream().mapToInt(j -> j.length).sum() / jpegs.size());
      int next = 0;
      long warmUntil = System.nanoTime() + (long) (window * 1e9);
      while (System.nanoTime() < warmUntil) {
        decoder.decode(jpegs.get(next++ % jpegs.size()), 0, 0);
      }
      for (int w = 0; w < windows; w++) {
        long start = System.nanoTime();
        long end = start + (long) (window * 1e9);
        int frames = 0;
        long now;
        while ((now = System.nanoTime()) < end) {
          decoder.decode(jpegs.get(next++ % jpegs.size()), 0, 0);
          frames++;
        }
        fps.add(Math.round(frames / ((now - start) / 1e9) * 10) / 10.0);
      }
    }
    return run;
  }
}
