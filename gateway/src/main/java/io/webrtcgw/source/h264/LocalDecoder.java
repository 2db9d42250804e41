package io.webrtcgw.source.h264;

import io.webrtcgw.source.FrameBuffer;
import java.nio.ByteBuffer;
import java.util.List;
import org.jcodec.common.model.Picture;

/**
 * A {@link StreamDecoder} that runs JCodec on the calling thread, without a budget: what a
 * {@link DecodeWorker} process runs inside, and what measures JCodec's own speed. A decode that
 * loops forever on damaged input loops forever here too, so the gateway never uses it for a
 * stream's frames.
 */
public final class LocalDecoder implements StreamDecoder {
  private final AccessUnitDecoder decoder;
  /** Why the known parameter sets could not be taken; every unit is refused with it. */
  private final DecodeException refusal;
  private final PictureConverter converter = new PictureConverter();
  private long copied;

  public LocalDecoder(Spec spec) {
    this.decoder = new AccessUnitDecoder(H264PictureDecoder::new, spec.rotation());
    DecodeException failed = null;
    try {
      decoder.knownParameterSets(spec.sps(), spec.pps());
    } catch (UnsupportedStreamException e) {
      failed = e;
    } catch (RuntimeException e) {
      failed = new DecodeException.Damaged("damaged parameter sets: " + e.getMessage());
    }
    this.refusal = failed;
  }

  @Override
  public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    Picture picture = decodePicture(nalUnits);
    if (picture == null) {
      return null;
    }
    DecodedPicture decoded = DecodedPicture.of(picture, decoder.rotation(), pts);
    copied += decoded.y().length + 2L * decoded.u().length;
    return decoded;
  }

  @Override
  public FrameBuffer decode(List<ByteBuffer> nalUnits, long pts, FrameBuffer into) throws DecodeException {
    Picture picture = decodePicture(nalUnits);
    if (picture == null) {
      return null;
    }
    int[] size = PictureConverter.size(picture, decoder.rotation());
    FrameBuffer target = size[0] == into.width() && size[1] == into.height()
        ? into
        : FrameBuffer.allocate(size[0], size[1]);
    copied += converter.convert(picture, decoder.rotation(), target.y(), target.u(), target.v());
    return target;
  }

  @Override
  public void decodeReference(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    decodePicture(nalUnits);
  }

  @Override
  public long bytesCopied() {
    return copied;
  }

  /**
   * Decodes one unit and returns JCodec's own picture, valid until the next call, or null when the
   * unit held none; {@link PictureConverter} turns it into I420 for display under {@link #rotation()}.
   */
  public Picture decodePicture(List<ByteBuffer> nalUnits) throws DecodeException {
    if (refusal != null) {
      throw refusal;
    }
    try {
      return decoder.decodePicture(nalUnits);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // Damaged bytes make JCodec throw anything from index errors to impossible allocations
      // (which fail at once without using memory); all of them mean "this unit is damaged".
      throw new DecodeException.Damaged(e.toString());
    }
  }

  /** How far pictures are turned for display. */
  public Rotation rotation() {
    return decoder.rotation();
  }

  @Override
  public void reset() {
    decoder.reset();
  }

  @Override
  public void close() {
    decoder.reset();
  }
}
