package io.webrtcgw.source.mjpeg;

import io.webrtcgw.source.I420Frame;
import java.nio.ByteBuffer;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

/**
 * JCodec's pure-Java JPEG decoder with the same conversion to limited-range I420 as the gateway's,
 * kept for the benchmark's comparison only. The gateway does not use it: it is about a third as
 * fast as the JDK's reader, it reads only baseline JPEGs without restart intervals, and it takes
 * chroma's quantisation table from a fixed slot whatever the frame header says, so JPEGs with one
 * table for all components (ffmpeg's, for one) come out in wrong colours.
 */
public final class JCodecJpegDecoder implements JpegDecoder {
  private static final byte[] LUMA = new byte[256];
  private static final byte[] CHROMA = new byte[256];

  static {
    for (int v = 0; v < 256; v++) {
      LUMA[v] = (byte) Math.round(16 + v * 219 / 255.0);
      CHROMA[v] = (byte) Math.round(128 + (v - 128) * 224 / 255.0);
    }
  }

  private final org.jcodec.codecs.mjpeg.JpegDecoder decoder = new org.jcodec.codecs.mjpeg.JpegDecoder();
  private byte[][] planes = new byte[3][0];

  @Override
  public I420Frame decode(byte[] jpeg, long captureTimeMicros, long arrivalNanos) throws JpegException {
    JpegHeader header = JpegHeader.parse(jpeg);
    if (header.frameType() != 0 || !header.sampling().equals("4:2:0")) {
      throw new JpegException("JCodec reads baseline 4:2:0 JPEGs only, not " + header);
    }
    int alignedWidth = (header.width() + 15) & ~15;
    int alignedHeight = (header.height() + 15) & ~15;
    if (planes[0].length < alignedWidth * alignedHeight) {
      planes = new byte[][] {new byte[alignedWidth * alignedHeight], new byte[alignedWidth * alignedHeight / 4],
          new byte[alignedWidth * alignedHeight / 4]};
    }
    Picture picture;
    try {
      picture = decoder.decodeFrame(ByteBuffer.wrap(jpeg), planes);
    } catch (RuntimeException e) {
      throw new JpegException("JCodec cannot decode the JPEG: " + e, e);
    }
    if (picture == null || picture.getColor() != ColorSpace.YUV420J) {
      throw new JpegException("JCodec decoded no 4:2:0 picture");
    }
    int width = header.width() & ~1;
    int height = header.height() & ~1;
    I420Frame frame = new I420Frame(width, height, new byte[width * height], new byte[width * height / 4],
        new byte[width * height / 4], captureTimeMicros, arrivalNanos);
    copy(picture.getPlaneData(0), picture.getPlaneWidth(0), frame.y(), width, height, LUMA);
    copy(picture.getPlaneData(1), picture.getPlaneWidth(1), frame.u(), width / 2, height / 2, CHROMA);
    copy(picture.getPlaneData(2), picture.getPlaneWidth(2), frame.v(), width / 2, height / 2, CHROMA);
    return frame;
  }

  /** JCodec stores samples minus 128 in planes padded to whole blocks. */
  private static void copy(byte[] from, int stride, byte[] to, int width, int height, byte[] range) {
    for (int row = 0; row < height; row++) {
      int source = row * stride;
      int target = row * width;
      for (int x = 0; x < width; x++) {
        to[target + x] = range[(from[source + x] + 128) & 0xFF];
      }
    }
  }

  @Override
  public void close() {
    // nothing native
  }
}
