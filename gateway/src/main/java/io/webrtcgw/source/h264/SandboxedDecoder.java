package io.webrtcgw.source.h264;

import io.webrtcgw.source.FrameBuffer;
import io.webrtcgw.source.I420Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane of a stream's decoding in a {@link DecoderSandbox} process; the stream's lanes share the
 * process, each with a decoder and a thread of its own there. A decode past its budget ends the
 * process, for every lane; the next unit of each lane starts in a fresh one (its caller skips to a
 * key frame, as after damage).
 */
final class SandboxedDecoder implements StreamDecoder {
  private static final Logger log = LoggerFactory.getLogger(SandboxedDecoder.class);

  private final Shared shared;
  private final int lane;
  private final AtomicLong copied = new AtomicLong();
  private boolean closed;

  private SandboxedDecoder(Shared shared, int lane) {
    this.shared = shared;
    this.lane = lane;
  }

  /** {@code lanes} decoders of one stream, sharing one process. */
  static List<StreamDecoder> open(DecoderSandbox sandbox, Spec spec, int lanes) {
    if (lanes < 1 || lanes > SandboxProtocol.MAX_LANES) {
      throw new IllegalArgumentException("lanes must be 1.." + SandboxProtocol.MAX_LANES + ": " + lanes);
    }
    Shared shared = new Shared(sandbox, spec, lanes);
    List<StreamDecoder> decoders = new ArrayList<>(lanes);
    for (int i = 0; i < lanes; i++) {
      decoders.add(new SandboxedDecoder(shared, i));
    }
    return decoders;
  }

  @Override
  public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    FrameBuffer buffer = decode(nalUnits, pts, null);
    if (buffer == null) {
      return null;
    }
    I420Frame frame = buffer.frame(0, 0);
    return new DecodedPicture(pts, buffer.width(), buffer.height(), frame.y(), frame.u(), frame.v());
  }

  @Override
  public FrameBuffer decode(List<ByteBuffer> nalUnits, long pts, FrameBuffer into) throws DecodeException {
    return run(nalUnits, pts, into, false);
  }

  @Override
  public void decodeReference(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
    run(nalUnits, pts, null, true);
  }

  private FrameBuffer run(List<ByteBuffer> nalUnits, long pts, FrameBuffer into, boolean discard)
      throws DecodeException {
    if (closed) {
      throw new IllegalStateException("the decoder of '" + shared.spec.name() + "' is closed");
    }
    DecoderProcess process;
    try {
      process = shared.process(lane);
    } catch (IOException e) {
      throw new DecodeException.Damaged("cannot start a decoder process: " + e.getMessage());
    }
    DecoderProcess.Answer answer;
    try {
      answer = discard
          ? process.decodeReference(lane, nalUnits, pts, shared.spec.budget())
          : process.decode(lane, nalUnits, pts, into, shared.spec.budget());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shared.drop(process, true);
      throw new DecodeException.Damaged("interrupted while decoding");
    }
    if (answer == null) {
      log.warn("stream {}: decoding one frame took longer than {} ms; ending its decoder process {}",
          shared.spec.name(), shared.spec.budget().toMillis(), process.pid());
      shared.drop(process, true);
      throw new DecodeException.Overrun(
          "decoding one frame took longer than " + shared.spec.budget().toMillis() + " ms, so its decoder was ended");
    }
    if (answer instanceof DecoderProcess.Picture picture) {
      copied.addAndGet(picture.processCopied() + picture.gatewayCopied());
      return picture.buffer();
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
    shared.drop(process, true);
    throw new DecodeException.Damaged(reason);
  }

  /** Counts the process's conversion into its socket and the gateway's copy off it into the buffer. */
  @Override
  public long bytesCopied() {
    return copied.get();
  }

  @Override
  public void reset() {
    shared.reset(lane);
  }

  /** The process decoding for this stream now, or -1 while there is none. */
  long pid() {
    return shared.pid();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      shared.closeLane();
    }
  }

  /** The process a stream's lanes share, and which lanes it has opened. */
  private static final class Shared {
    final DecoderSandbox sandbox;
    final Spec spec;
    private final boolean[] opened;
    private int open;
    private DecoderProcess process; // guarded by this

    Shared(DecoderSandbox sandbox, Spec spec, int lanes) {
      this.sandbox = sandbox;
      this.spec = spec;
      this.opened = new boolean[lanes];
      this.open = lanes;
    }

    /** The live process with {@code lane} opened on it, taking a new one when there is none. */
    synchronized DecoderProcess process(int lane) throws IOException {
      if (process != null && !process.alive()) {
        sandbox.release(process, true);
        process = null;
      }
      if (process == null) {
        process = sandbox.take();
        java.util.Arrays.fill(opened, false);
      }
      if (!opened[lane]) {
        try {
          process.open(lane, spec);
        } catch (IOException e) {
          sandbox.release(process, true);
          process = null;
          throw e;
        }
        opened[lane] = true;
      }
      return process;
    }

    synchronized void reset(int lane) {
      if (process != null && opened[lane]) {
        process.reset(lane);
      }
    }

    /** Lets go of {@code ended} if it is still the lanes' process. */
    synchronized void drop(DecoderProcess ended, boolean kill) {
      if (process == ended) {
        sandbox.release(process, kill);
        process = null;
      }
    }

    synchronized long pid() {
      return process == null ? -1 : process.pid();
    }

    synchronized void closeLane() {
      if (--open == 0 && process != null) {
        sandbox.release(process, false);
        process = null;
      }
    }
  }
}
