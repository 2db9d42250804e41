package io.webrtcgw.source.h264;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's decoder in a {@link DecoderSandbox} process. A decode past its budget ends the
 * process; the next unit starts in a fresh one (the caller skips to a key frame, as after damage).
 */
final class SandboxedDecoder implements StreamDecoder {
  private static final Logger log = LoggerFactory.getLogger(SandboxedDecoder.class);

  private final DecoderSandbox sandbox;
  private final Spec spec;
  private DecoderProcess process;
  private boolean closed;

  SandboxedDecoder(DecoderSandbox sandbox, Spec spec) {
    this.sandbox = sandbox;
    this.spec = spec;
  }

  @Override
  public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    if (closed) {
      throw new IllegalStateException("the decoder of '" + spec.name() + "' is closed");
    }
    if (process == null) {
      try {
        process = sandbox.take();
        process.open(spec);
      } catch (IOException e) {
        drop(true);
        throw new DecodeException.Damaged("cannot start a decoder process: " + e.getMessage());
      }
    }
    DecoderProcess.Answer answer;
    try {
      answer = process.decode(nalUnits, pts, spec.budget());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drop(true);
      throw new DecodeException.Damaged("interrupted while decoding");
    }
    if (answer == null) {
      log.warn("stream {}: decoding one frame took longer than {} ms; ending its decoder process {}",
          spec.name(), spec.budget().toMillis(), process.pid());
      drop(true);
      throw new DecodeException.Overrun(
          "decoding one frame took longer than " + spec.budget().toMillis() + " ms, so its decoder was ended");
    }
    if (answer instanceof DecoderProcess.Picture picture) {
      return picture.picture();
    }
    if (answer instanceof DecoderProcess.NoPicture) {
      return null;
    }
    if (answer instanceof DecoderProcess.Damaged damaged) {
      throw new DecodeException.Damaged(damaged.reason());
    }
    if (answer instanceof DecoderProcess.Unsupported unsupported) {
      throw new UnsupportedStreamException(unsupported.reason());
    }
    String reason = ((DecoderProcess.Gone) answer).reason();
    drop(true);
    throw new DecodeException.Damaged(reason);
  }

  @Override
  public void reset() {
    if (process != null) {
      process.reset();
    }
  }

  private void drop(boolean kill) {
    if (process != null) {
      sandbox.release(process, kill);
      process = null;
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      drop(false);
    }
  }
}
