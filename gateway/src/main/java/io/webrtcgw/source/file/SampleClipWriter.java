package io.webrtcgw.source.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jcodec.codecs.h264.H264Encoder;
import org.jcodec.codecs.h264.encode.RateControl;
import org.jcodec.codecs.h264.io.model.SliceType;
import org.jcodec.common.Codec;
import org.jcodec.common.MuxerTrack;
import org.jcodec.common.VideoCodecMeta;
import org.jcodec.common.VideoEncoder.EncodedFrame;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Size;
import org.jcodec.containers.mp4.muxer.MP4Muxer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the demo clip of {@code samples/} with JCodec's H.264 encoder: {@code SampleClipWriter [OUT]}. */
public final class SampleClipWriter {
  private static final Logger log = LoggerFactory.getLogger(SampleClipWriter.class);
  static final int WIDTH = 640;
  static final int HEIGHT = 360;
  static final int FPS = 30;
  static final int FRAMES = 12 * FPS;
  /** Quantizer for every macroblock; this keeps the 12 s clip near 2 MB. */
  private static final int QP = 30;
  /** Y, U, V of the bars that scroll along the bottom. */
  private static final int[][] BARS = {
    {180, 44, 142}, {170, 166, 16}, {145, 54, 34}, {106, 202, 222}, {81, 90, 240}, {41, 240, 110}
  };
  /** Segments a-g lit per digit: top, top right, bottom right, bottom, bottom left, top left, middle. */
  private static final int[] SEGMENTS = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};

  private final byte[] y = new byte[WIDTH * HEIGHT];
  private final byte[] u = new byte[WIDTH * HEIGHT / 4];
  private final byte[] v = new byte[WIDTH * HEIGHT / 4];

  private SampleClipWriter() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "samples/demo.mp4");
    write(out);
    log.info("wrote {}: {}x{} at {} fps, {} frames, {} bytes", out, WIDTH, HEIGHT, FPS, FRAMES, Files.size(out));
  }

  static void write(Path out) throws IOException {
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    SampleClipWriter painter = new SampleClipWriter();
    H264Encoder encoder = new H264Encoder(new ConstantQp(QP));
    encoder.setKeyInterval(2 * FPS);
    Picture picture = Picture.create(WIDTH, HEIGHT, ColorSpace.YUV420J);
    ByteBuffer buffer = ByteBuffer.allocate(encoder.estimateBufferSize(picture));
    try (FileChannelWrapper channel = NIOUtils.writableChannel(out.toFile())) {
      MP4Muxer muxer = MP4Muxer.createMP4MuxerToChannel(channel);
      MuxerTrack track = muxer.addVideoTrack(
          Codec.H264, VideoCodecMeta.createSimpleVideoCodecMeta(new Size(WIDTH, HEIGHT), ColorSpace.YUV420J));
      for (int n = 0; n < FRAMES; n++) {
        painter.paint(n);
        painter.store(picture);
        buffer.clear();
        EncodedFrame frame = encoder.encodeFrame(picture, buffer);
        Packet.FrameType type = frame.isKeyFrame() ? Packet.FrameType.KEY : Packet.FrameType.INTER;
        track.addFrame(Packet.createPacket(NIOUtils.clone(frame.getData()), n, FPS, 1, n, type, null));
      }
      muxer.finish();
    }
  }

  /** Copies the painted planes into JCodec's picture, which holds samples minus 128. */
  private void store(Picture picture) {
    shift(y, picture.getPlaneData(0));
    shift(u, picture.getPlaneData(1));
    shift(v, picture.getPlaneData(2));
  }

  private static void shift(byte[] from, byte[] to) {
    for (int i = 0; i < from.length; i++) {
      to[i] = (byte) ((from[i] & 0xFF) - 128);
    }
  }

  /**
   * A bouncing ball, a sweeping hand, scrolling bars, a seconds counter and a progress bar, so that
   * motion, pacing and the loop point are plain to see.
   */
  private void paint(int n) {
    // A still background costs the encoder almost nothing in P-frames; only moving parts cost bits.
    for (int row = 0; row < HEIGHT; row++) {
      Arrays.fill(y, row * WIDTH, (row + 1) * WIDTH, (byte) (40 + row / 12));
    }
    Arrays.fill(u, (byte) 140);
    Arrays.fill(v, (byte) 118);

    int barWidth = 40;
    int shift = (n * 4) % (barWidth * BARS.length);
    for (int x = 0; x < WIDTH; x += 2) {
      int[] bar = BARS[((x + shift) / barWidth) % BARS.length];
      rect(x, 300, 2, 28, bar[0], bar[1], bar[2]);
    }

    int progress = (WIDTH - 40) * (n + 1) / FRAMES;
    rect(20, 340, WIDTH - 40, 8, 60, 128, 128);
    rect(20, 340, progress, 8, 210, 90, 150);

    double angle = 2 * Math.PI * n / FPS;
    int cx = 110;
    int cy = 150;
    disc(cx, cy, 80, 70, 150, 110);
    for (int r = 0; r < 72; r += 2) {
      int px = cx + (int) Math.round(r * Math.sin(angle));
      int py = cy - (int) Math.round(r * Math.cos(angle));
      disc(px, py, 4, 235, 128, 128);
    }

    int span = WIDTH - 260 - 60;
    int bx = 260 + bounce(n * 7, span);
    int by = 40 + bounce(n * 5, 200);
    disc(bx + 30, by + 30, 30, 160, 70, 200);

    int seconds = n / FPS;
    int frame = n % FPS;
    digit(430, 60, 40, seconds / 10);
    digit(490, 60, 40, seconds % 10);
    digit(560, 100, 20, frame / 10);
    digit(590, 100, 20, frame % 10);
  }

  /** A seven-segment digit {@code size} wide and twice as tall, top left at (x, y). */
  private void digit(int x, int y, int size, int value) {
    int t = Math.max(2, size / 6) & ~1;
    int[][] segments = {
      {x, y, size, t}, {x + size - t, y, t, size}, {x + size - t, y + size, t, size},
      {x, y + 2 * size - t, size, t}, {x, y + size, t, size}, {x, y, t, size}, {x, y + size - t / 2, size, t}
    };
    for (int s = 0; s < 7; s++) {
      if ((SEGMENTS[value] & (1 << s)) != 0) {
        int[] r = segments[s];
        rect(r[0], r[1], r[2], r[3], 235, 128, 128);
      }
    }
  }

  private void rect(int x, int top, int w, int h, int luma, int cb, int cr) {
    int x0 = Math.max(0, x) & ~1;
    int y0 = Math.max(0, top) & ~1;
    int x1 = Math.min(WIDTH, x + w);
    int y1 = Math.min(HEIGHT, top + h);
    for (int row = y0; row < y1; row++) {
      Arrays.fill(y, row * WIDTH + x0, row * WIDTH + Math.max(x0, x1), (byte) luma);
    }
    for (int row = y0 / 2; row < (y1 + 1) / 2; row++) {
      int base = row * (WIDTH / 2);
      Arrays.fill(u, base + x0 / 2, base + Math.max(x0 / 2, (x1 + 1) / 2), (byte) cb);
      Arrays.fill(v, base + x0 / 2, base + Math.max(x0 / 2, (x1 + 1) / 2), (byte) cr);
    }
  }

  private void disc(int cx, int cy, int radius, int luma, int cb, int cr) {
    for (int row = Math.max(0, cy - radius); row < Math.min(HEIGHT, cy + radius); row++) {
      int dy = row - cy;
      int half = (int) Math.sqrt((double) radius * radius - dy * dy);
      int from = Math.max(0, cx - half);
      int to = Math.min(WIDTH, cx + half);
      if (to <= from) {
        continue;
      }
      Arrays.fill(y, row * WIDTH + from, row * WIDTH + to, (byte) luma);
      if ((row & 1) == 0) {
        int base = (row / 2) * (WIDTH / 2);
        Arrays.fill(u, base + from / 2, base + (to + 1) / 2, (byte) cb);
        Arrays.fill(v, base + from / 2, base + (to + 1) / 2, (byte) cr);
      }
    }
  }

  private static int bounce(int t, int span) {
    int m = Math.floorMod(t, 2 * span);
    return m < span ? m : 2 * span - m;
  }

  /**
   * Holds one quantizer for the whole clip. JCodec 0.2.5's own policy adapts to a per-frame size
   * budget, which suits streaming but wastes bits on a clip whose background never changes.
   */
  private record ConstantQp(int qp) implements RateControl {
    @Override
    public int startPicture(Size size, int maxSize, SliceType sliceType) {
      return qp;
    }

    @Override
    public int initialQpDelta() {
      return 0;
    }

    @Override
    public int accept(int bits) {
      return 0;
    }
  }
}
