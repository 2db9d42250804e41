package io.webrtcgw.source.h264;

import io.webrtcgw.source.FrameBuffer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the access units of one H.264 stream into pictures, one at a time, on the caller's
 * thread. Production decoders run JCodec in a process of their own ({@link DecoderSandbox}), so
 * that a decode looping on damaged input can be ended; tests may stand in fakes.
 */
public interface StreamDecoder extends AutoCloseable {

  /** What one stream's decoder needs to know before its first unit. */
  record Spec(String name, Rotation rotation, List<ByteBuffer> sps, List<ByteBuffer> pps, Duration budget) {
    /**
     * @param name the stream, for thread names and logs
     * @param rotation how far pictures are turned for display
     * @param sps sequence parameter sets known before the first picture (an MP4's {@code avcC}, an
     *     SDP's {@code sprop-parameter-sets}), each without its NAL header byte; may be empty
     * @param pps picture parameter sets, likewise
     * @param budget how long one unit may take to decode before the decoder is ended
     */
    public Spec {
      sps = sps.stream().map(ByteBuffer::asReadOnlyBuffer).toList();
      pps = pps.stream().map(ByteBuffer::asReadOnlyBuffer).toList();
    }
  }

  /**
   * Decodes one access unit: its NAL units, each with its header byte and without start code or
   * length prefix. Returns the picture (cropped, rotated, with {@code pts}) or null when the unit
   * held none (parameter sets only, or slices before any parameter set). Pictures come out in
   * decode order.
   *
   * @throws DecodeException.Damaged when the unit is damaged; {@link #reset} and go on from the next key frame
   * @throws DecodeException.Overrun when it took longer than the budget; the decoder was replaced
   * @throws UnsupportedStreamException when the stream uses H.264 that JCodec cannot decode
   */
  DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException;

  /**
   * Decodes one access unit as {@link #decode(List, long)} does, writing the picture into {@code
   * into} when it has that size. Returns the buffer that holds the picture: {@code into}, or (for a
   * picture of another size) a new buffer the caller then holds too; null when the unit held none.
   * {@code into} stays the caller's either way.
   */
  default FrameBuffer decode(List<ByteBuffer> nalUnits, long pts, FrameBuffer into) throws DecodeException {
    DecodedPicture picture = decode(nalUnits, pts);
    if (picture == null) {
      return null;
    }
    FrameBuffer target = picture.width() == into.width() && picture.height() == into.height()
        ? into
        : FrameBuffer.allocate(picture.width(), picture.height());
    target.y().put(picture.y());
    target.u().put(picture.u());
    target.v().put(picture.v());
    return target;
  }

  /**
   * Decodes one access unit only for what later units refer to: its picture is not wanted (it would
   * be shown too late), so it is neither converted nor handed over.
   *
   * @throws DecodeException as {@link #decode(List, long)} does
   */
  default void decodeReference(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    decode(nalUnits, pts);
  }

  /**
   * Bytes of picture data this decoder copied so far on the way from the decoder's planes into the
   * buffers it returned, each pass over a picture counted (so one copy of a 1920x1080 picture adds
   * 3,110,400); -1 when it does not know.
   */
  default long bytesCopied() {
    return -1;
  }

  /** Drops the reference pictures after damage; the parameter sets are kept. */
  void reset();

  /** Ends the decoder and frees what it holds. Idempotent. */
  @Override
  void close();

  /** Opens a decoder for one stream. */
  @FunctionalInterface
  interface Factory {
    StreamDecoder open(Spec spec);

    /**
     * Opens {@code lanes} decoders of one stream that decode at the same time, each from its own
     * key frames and on its caller's thread: for decoding several GOPs of a file in parallel. The
     * sandbox runs them on threads of one decoder process.
     */
    default List<StreamDecoder> openLanes(Spec spec, int lanes) {
      List<StreamDecoder> opened = new ArrayList<>(lanes);
      for (int i = 0; i < lanes; i++) {
        opened.add(open(spec));
      }
      return opened;
    }
  }
}
