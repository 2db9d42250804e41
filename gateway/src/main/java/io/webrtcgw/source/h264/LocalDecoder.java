package io.webrtcgw.source.h264;

import java.nio.ByteBuffer;
import java.util.List;

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
    if (refusal != null) {
      throw refusal;
    }
    try {
      return decoder.decode(nalUnits, pts);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // Damaged bytes make JCodec throw anything from index errors to impossible allocations
      // (which fail at once without using memory); all of them mean "this unit is damaged".
      throw new DecodeException.Damaged(e.toString());
    }
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
