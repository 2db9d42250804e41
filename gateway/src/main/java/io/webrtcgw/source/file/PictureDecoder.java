package io.webrtcgw.source.file;

import java.nio.ByteBuffer;
import java.util.List;
import org.jcodec.common.model.Picture;

/** Decodes one H.264 access unit; JCodec's decoder in production, a stand-in in tests. */
interface PictureDecoder {

  /**
   * Decodes the NAL units of one sample into {@code buffer} and returns the picture, or null if the
   * sample held no picture. Damaged input surfaces as a runtime exception.
   */
  Picture decode(List<ByteBuffer> nalUnits, byte[][] buffer);

  /** Makes a fresh decoder for a clip, at the start of a run and after damage. */
  @FunctionalInterface
  interface Factory {
    PictureDecoder create(ClipInfo clip);
  }
}
