package io.webrtcgw.source.h264;

import io.webrtcgw.source.I420Frame;
import org.jcodec.common.model.Picture;

/**
 * A decoded picture in tightly packed I420, cropped, rotated for display and back in the 0..255
 * range, held with its presentation time until its turn comes.
 */
public record DecodedPicture(long pts, int width, int height, byte[] y, byte[] u, byte[] v) {

  /**
   * Copies the visible part of a JCodec picture. JCodec reuses its planes for the next frame, so
   * the copy is taken at once.
   */
  public static DecodedPicture of(Picture picture, Rotation rotation, long pts) {
    int[] size = PictureConverter.size(picture, rotation);
    int chroma = I420Frame.chromaWidth(size[0]) * I420Frame.chromaHeight(size[1]);
    byte[] y = new byte[size[0] * size[1]];
    byte[] u = new byte[chroma];
    byte[] v = new byte[chroma];
    PictureConverter.convert(picture, rotation, y, u, v);
    return new DecodedPicture(pts, size[0], size[1], y, u, v);
  }

  public I420Frame toFrame(long captureTimeMicros) {
    return new I420Frame(width, height, y, u, v, captureTimeMicros);
  }

  /** The frame, remembering when its last byte arrived ({@link System#nanoTime}) for the delay metric. */
  public I420Frame toFrame(long captureTimeMicros, long arrivalNanos) {
    return new I420Frame(width, height, y, u, v, captureTimeMicros, arrivalNanos);
  }
}
