package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.fail;

import io.webrtcgw.source.pattern.FrameStamp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes test clips with the system's ffmpeg at test time, so no binary fixtures are checked in.
 * Every picture carries a {@link FrameStamp} band whose frame number is ffmpeg's own count in
 * presentation order, so tests can check the order in which frames come out.
 */
public final class TestClips {
  public static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
  private static String encoders;

  private TestClips() {}

  /** What to encode: an H.264 clip of testsrc2 with a stamp band. */
  public record Spec(String profile, int bFrames, int width, int height, String rate, double seconds) {
    public double fps() {
      String[] parts = rate.split("/");
      return parts.length == 1
          ? Double.parseDouble(parts[0])
          : Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
    }

    public int frames() {
      return (int) Math.round(seconds * fps());
    }

    public String fileName() {
      return String.format(Locale.ROOT, "%s-bf%d-%dx%d-%s-%d.mp4",
          profile, bFrames, width, height, rate.replace('/', '_'), frames());
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s bf=%d %dx%d@%s", profile, bFrames, width, height, rate);
    }
  }

  public static void assumeFfmpeg() {
    Assumptions.assumeTrue(Files.isExecutable(FFMPEG), "needs Debian's " + FFMPEG + " to make test clips");
  }

  /** Skips (visibly) when this ffmpeg build lacks {@code encoder}. */
  public static void assumeEncoder(String encoder) {
    assumeFfmpeg();
    synchronized (TestClips.class) {
      if (encoders == null) {
        encoders = run(List.of(FFMPEG.toString(), "-hide_banner", "-encoders"));
      }
    }
    Assumptions.assumeTrue(
        encoders.contains(" " + encoder + " "),
        "this ffmpeg has no " + encoder + " encoder, so that case cannot be made");
  }

  /** Writes the clip for {@code spec} into {@code dir} (once) and returns its path. */
  public static Path h264(Path dir, Spec spec) {
    return h264(dir, spec, "");
  }

  /**
   * As {@link #h264(Path, Spec)}, with a GOP of {@code gop} frames exactly (no scene-cut key
   * frames), open ({@code open-gop=1}: the B-frames after a key frame refer to the GOP before)
   * or closed.
   */
  public static Path h264(Path dir, Spec spec, int gop, boolean open) {
    return h264(dir, spec, "-g" + gop + (open ? "-open" : ""), "-g", String.valueOf(gop),
        "-keyint_min", String.valueOf(gop), "-sc_threshold", "0", "-x264-params", "open-gop=" + (open ? 1 : 0));
  }

  private static Path h264(Path dir, Spec spec, String variant, String... encoderOptions) {
    assumeEncoder("libx264");
    Path out = dir.resolve(spec.fileName().replace(".mp4", variant + ".mp4"));
    if (Files.exists(out)) {
      return out;
    }
    List<String> args = new ArrayList<>(base());
    args.addAll(List.of(
        "-f", "lavfi", "-i", "testsrc2=size=" + spec.width() + "x" + spec.height() + ":rate=" + spec.rate(),
        "-frames:v", String.valueOf(spec.frames()),
        "-vf", stampFilter(spec.height()),
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", spec.profile(), "-bf", String.valueOf(spec.bFrames())));
    args.addAll(List.of(encoderOptions));
    args.addAll(List.of("-pix_fmt", "yuv420p", out.toString()));
    run(args);
    return out;
  }

  /**
   * A filter that writes frame number N (ffmpeg's presentation-order count) into cells 48-63 of the
   * {@link FrameStamp} band, white for 1 and black for 0, and leaves cells 0-47 black. Only the band
   * goes through geq, which is slow per pixel.
   */
  public static String stampFilter(int height) {
    int band = FrameStamp.bandHeight(height);
    String cell = "floor(X*64/W)";
    String bit = "mod(floor(mod(N\\,65536)/pow(2\\,63-" + cell + "))\\,2)";
    String lum = "if(gte(" + cell + "\\,48)\\," + "if(" + bit + "\\,235\\,16)\\,16)";
    return "split[a][b];[b]crop=iw:" + band + ":0:0,geq=lum='" + lum + "':cb=128:cr=128[s];[a][s]overlay=0:0";
  }

  /** Runs ffmpeg with {@code args} after the usual quiet flags. */
  public static void ffmpeg(String... args) {
    assumeFfmpeg();
    List<String> all = new ArrayList<>(base());
    all.addAll(List.of(args));
    run(all);
  }

  private static List<String> base() {
    return List.of(FFMPEG.toString(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y");
  }

  /** Decodes the first picture of {@code clip} with ffmpeg (auto-rotated) as packed I420. */
  public static byte[] ffmpegFirstFrame(Path clip, Path dir) throws IOException {
    Path raw = Files.createTempFile(dir, "first", ".yuv");
    ffmpeg("-i", clip.toString(), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw.toString());
    return Files.readAllBytes(raw);
  }

  private static String run(List<String> command) {
    Path log = null;
    try {
      log = Files.createTempFile("ffmpeg", ".log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("ffmpeg did not finish within 120 s: " + String.join(" ", command));
      }
      String text = Files.readString(log, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        fail("ffmpeg failed (" + process.exitValue() + "): " + String.join(" ", command) + "\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new AssertionError("cannot run ffmpeg: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running ffmpeg", e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // A leftover log in the temp directory harms nothing.
        }
      }
    }
  }
}
