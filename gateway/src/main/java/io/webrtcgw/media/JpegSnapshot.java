package io.webrtcgw.media;

import io.webrtcgw.source.I420Frame;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Turns an I420 frame into a JPEG, optionally scaled to a width with its aspect ratio kept. */
public final class JpegSnapshot {
  private static final float QUALITY = 0.85f;

  private JpegSnapshot() {}

  /** @param width the JPEG's width, or 0 for the frame's own */
  public static byte[] encode(I420Frame frame, int width) {
    BufferedImage image = toRgb(frame);
    if (width > 0 && width != frame.width()) {
      image = scale(image, width, Math.max(1, Math.round((float) frame.height() * width / frame.width())));
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(QUALITY);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** BT.601 limited range, as the sources and libwebrtc's encoders use it. */
  static BufferedImage toRgb(I420Frame frame) {
    int w = frame.width();
    int h = frame.height();
    int cw = frame.chromaWidth();
    byte[] yPlane = frame.y();
    byte[] uPlane = frame.u();
    byte[] vPlane = frame.v();
    int[] rgb = new int[w * h];
    for (int row = 0; row < h; row++) {
      int chromaRow = (row >> 1) * cw;
      for (int x = 0; x < w; x++) {
        int y = (yPlane[row * w + x] & 0xFF) - 16;
        int u = (uPlane[chromaRow + (x >> 1)] & 0xFF) - 128;
        int v = (vPlane[chromaRow + (x >> 1)] & 0xFF) - 128;
        int c = 298 * y + 128;
        int r = clamp((c + 409 * v) >> 8);
        int g = clamp((c - 100 * u - 208 * v) >> 8);
        int b = clamp((c + 516 * u) >> 8);
        rgb[row * w + x] = (r << 16) | (g << 8) | b;
      }
    }
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, w, h, rgb, 0, w);
    return image;
  }

  private static BufferedImage scale(BufferedImage source, int width, int height) {
    BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(source, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return scaled;
  }

  private static int clamp(int value) {
    return value < 0 ? 0 : Math.min(255, value);
  }
}
