package io.webrtcgw.source.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.LocalDecoder;
import io.webrtcgw.source.h264.StreamDecoder;
import java.nio.file.Path;

/**
 * The benchmark's decode-speed probe, a process of its own so it can be pinned to one core
 * ({@code taskset -c 0}): decodes a clip as fast as the file source's own decoder path allows
 * (JCodec, reordering aside, cropping and copying into an I420 frame), without pacing, for at least
 * {@code seconds} and two passes, looping. Prints one JSON line: frames, seconds, fps over the whole
 * run, and fps after the first pass (JIT warm).
 */
public final class DecodeSpeedProbe {
  private DecodeSpeedProbe() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
    ClipInfo clip = Mp4Probe.probe(file);
    long frames = 0;
    long warmFrames = 0;
    long start = System.nanoTime();
    long warmStart = 0;
    try (ClipReader reader = new ClipReader(clip, new LocalDecoder(new StreamDecoder.Spec("probe", clip.rotation(), clip.avcC().getSpsList(), clip.avcC().getPpsList(), java.time.Duration.ZERO)))) {
      int passes = 0;
      while (System.nanoTime() - start < seconds * 1e9 || passes < 2) {
        ClipReader.Sample sample = reader.next();
        if (sample == null) {
          reader.rewind();
          passes++;
          if (warmStart == 0) {
            warmStart = System.nanoTime();
          }
          continue;
        }
        DecodedPicture picture = reader.decode(sample);
        if (picture != null) {
          picture.toFrame(0);
          frames++;
          if (warmStart != 0) {
            warmFrames++;
          }
        }
      }
    }
    long end = System.nanoTime();
    System.out.println(new ObjectMapper().createObjectNode()
        .put("clip", file.toString())
        .put("clipInfo", clip.describe())
        .put("frames", frames)
        .put("seconds", (end - start) / 1e9)
        .put("fps", frames / ((end - start) / 1e9))
        .put("warmFps", warmFrames / ((end - warmStart) / 1e9)));
  }
}
