package io.webrtcgw.source.file;

import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.h264.Rotation;
import java.nio.file.Path;
import java.util.Locale;
import org.jcodec.codecs.h264.mp4.AvcCBox;

/**
 * What probing learned about a file's H.264 video track: enough to decode it, pace it and describe
 * it. {@code cropX..cropHeight} is the visible part of the macroblock-aligned coded picture,
 * before rotation.
 */
record ClipInfo(
    Path file,
    AvcCBox avcC,
    String profile,
    int codedWidth,
    int codedHeight,
    int cropX,
    int cropY,
    int cropWidth,
    int cropHeight,
    Rotation rotation,
    int timescale,
    SampleTable samples,
    int reorderDepth,
    double fps) {

  /** Size as displayed (cropped, then rotated) and the average rate of the track's timestamps. */
  VideoFormat format() {
    return rotation.swapsSides()
        ? new VideoFormat(cropHeight, cropWidth, fps)
        : new VideoFormat(cropWidth, cropHeight, fps);
  }

  /** Track ticks as nanoseconds, exact for any tick count a process will live to see. */
  long ticksToNanos(long ticks) {
    long seconds = Math.floorDiv(ticks, timescale);
    long rest = Math.floorMod(ticks, timescale);
    return seconds * 1_000_000_000L + rest * 1_000_000_000L / timescale;
  }

  double durationSeconds() {
    return (double) samples.spanTicks() / timescale;
  }

  String describe() {
    String text = String.format(
        Locale.ROOT,
        "%s H.264 %s, %d frames, %.2f s",
        format(),
        profile,
        samples.count(),
        durationSeconds());
    if (reorderDepth > 0) {
      text += ", B-frames (reorder " + reorderDepth + ")";
    }
    if (rotation != Rotation.NONE) {
      text += ", rotated " + rotation.degrees();
    }
    return text;
  }
}
