package io.webrtcgw.source.h264;

import java.nio.ByteBuffer;
import java.util.List;
import org.jcodec.common.model.Picture;

/**
 * Decodes one H.264 access unit; JCodec's decoder in production, a stand-in in tests. A small
 * interface on purpose, so that a time budget or a watchdog can wrap any decoder.
 */
public interface PictureDecoder {

  /**
   * Decodes the NAL units of one access unit (each without start code or length prefix, header byte
   * first) into {@code buffer} and returns the picture, or null if they held no picture. Damaged
   * input surfaces as a runtime exception.
   */
  Picture decode(List<ByteBuffer> nalUnits, byte[][] buffer);

  /** Makes a fresh decoder: at the start of a run, after damage, or for a new picture size. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param sps sequence parameter sets known before the first picture, each without its NAL
     *     header byte (as an MP4 {@code avcC} box or the SDP's {@code sprop-parameter-sets} give them)
     * @param pps picture parameter sets, likewise
     */
    PictureDecoder create(List<ByteBuffer> sps, List<ByteBuffer> pps);
  }
}
