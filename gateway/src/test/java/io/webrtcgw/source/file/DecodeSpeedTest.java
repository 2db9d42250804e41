package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.LocalDecoder;
import io.webrtcgw.source.h264.StreamDecoder;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how fast JCodec decodes (and we crop and copy) 720p Main profile on one thread, and logs
 * it. Only correctness is asserted: the figure depends on the machine and on what else runs on it.
 */
class DecodeSpeedTest {
  private static final Logger log = LoggerFactory.getLogger(DecodeSpeedTest.class);

  @TempDir static Path dir;

  @Test
  void decodes720pMainProfile() throws Exception {
    Spec spec = new Spec("main", 3, 1280, 720, "30", 6.0);
    ClipInfo clip = Mp4Probe.probe(TestClips.h264(dir, spec));
    int frames = 0;
    int half = clip.samples().count() / 2;
    long start = System.nanoTime();
    long halfway = 0;
    try (ClipReader reader = new ClipReader(clip, new LocalDecoder(new StreamDecoder.Spec("probe", clip.rotation(), clip.avcC().getSpsList(), clip.avcC().getPpsList(), java.time.Duration.ZERO)))) {
      ClipReader.Sample sample;
      while ((sample = reader.next()) != null) {
        if (reader.decode(sample) != null) {
          frames++;
        }
        if (sample.index() == half - 1) {
          halfway = System.nanoTime();
        }
      }
    }
    long end = System.nanoTime();
    assertEquals(spec.frames(), frames);
    double overall = frames / ((end - start) / 1e9);
    double warm = (frames - half) / ((end - halfway) / 1e9);
    log.info(String.format(Locale.ROOT,
        "JCodec decode speed, %s, one thread: %.1f fps overall, %.1f fps after JIT warm-up (%d frames)",
        spec, overall, warm, frames));
  }
}
