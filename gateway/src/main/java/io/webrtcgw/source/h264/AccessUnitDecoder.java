package io.webrtcgw.source.h264;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jcodec.common.model.Picture;

/**
 * Decodes a stream of H.264 access units, each given as its NAL units (no start codes, no length
 * prefixes), as they come from RTP. Parameter sets may come before the first picture (from the SDP)
 * or in the stream; an SPS that changes the picture size starts a fresh decoder with buffers of the
 * new size. Pictures come out in decode order. Not thread-safe: one decoding thread owns it.
 */
public final class AccessUnitDecoder {
  public static final int NAL_SLICE = 1;
  public static final int NAL_IDR_SLICE = 5;
  public static final int NAL_SPS = 7;
  public static final int NAL_PPS = 8;

  private final PictureDecoder.Factory decoders;
  private final Rotation rotation;
  /** Parameter set bodies (without header byte) by id, in the order they were first seen. */
  private final Map<Integer, ByteBuffer> spsBodies = new LinkedHashMap<>();
  private final Map<Integer, ByteBuffer> ppsBodies = new LinkedHashMap<>();
  private SequenceParameters sequence;
  private PictureDecoder decoder;
  private byte[][] buffer;

  public AccessUnitDecoder(PictureDecoder.Factory decoders) {
    this(decoders, Rotation.NONE);
  }

  /** @param rotation how far pictures are turned for display (an MP4 track's matrix) */
  public AccessUnitDecoder(PictureDecoder.Factory decoders, Rotation rotation) {
    this.decoders = decoders;
    this.rotation = rotation;
  }

  /** The parameters of the latest SPS, or null before the first. */
  public SequenceParameters sequence() {
    return sequence;
  }

  /**
   * Takes parameter sets known before any picture (an SDP's {@code sprop-parameter-sets}), each a
   * whole NAL unit with its header byte; other NAL types are ignored.
   *
   * @throws UnsupportedStreamException when they describe H.264 that JCodec cannot decode
   * @throws IllegalArgumentException when they are damaged
   */
  public void parameterSets(List<ByteBuffer> nalUnits) throws UnsupportedStreamException {
    for (ByteBuffer unit : nalUnits) {
      take(unit);
    }
  }

  /**
   * Takes parameter sets given as bodies without their NAL header byte (an MP4 {@code avcC} box,
   * JCodec's {@code getSpsList}/{@code getPpsList}).
   *
   * @throws UnsupportedStreamException when they describe H.264 that JCodec cannot decode
   * @throws IllegalArgumentException when they are damaged
   */
  public void knownParameterSets(List<ByteBuffer> spsBodies, List<ByteBuffer> ppsBodies)
      throws UnsupportedStreamException {
    for (ByteBuffer body : spsBodies) {
      take(withHeader(NAL_SPS, body));
    }
    for (ByteBuffer body : ppsBodies) {
      take(withHeader(NAL_PPS, body));
    }
  }

  private static ByteBuffer withHeader(int type, ByteBuffer body) {
    ByteBuffer unit = ByteBuffer.allocate(body.remaining() + 1);
    unit.put((byte) (0x60 | type)).put(body.duplicate()).flip();
    return unit;
  }

  /**
   * Decodes one access unit; its buffers are read and may be changed. Returns the picture with
   * {@code pts}, or null when the unit held no picture (parameter sets only, or slices before any
   * SPS and PPS). Damaged slices surface as runtime exceptions; call {@link #reset} then, and feed
   * the next key frame.
   *
   * @throws UnsupportedStreamException when an SPS or PPS describes H.264 JCodec cannot decode
   */
  public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws UnsupportedStreamException {
    Picture picture = decodePicture(nalUnits);
    return picture == null ? null : DecodedPicture.of(picture, rotation, pts);
  }

  /**
   * As {@link #decode}, but returns JCodec's own picture (padded, samples minus 128, not rotated),
   * valid until the next call: for converting it straight to where it goes ({@link PictureConverter}).
   */
  public Picture decodePicture(List<ByteBuffer> nalUnits) throws UnsupportedStreamException {
    List<ByteBuffer> kept = new ArrayList<>(nalUnits.size());
    boolean slices = false;
    for (ByteBuffer unit : nalUnits) {
      int type = take(unit);
      if (type == NAL_SLICE || type == NAL_IDR_SLICE) {
        slices = true;
        kept.add(unit);
      } else if (type == NAL_SPS || type == NAL_PPS) {
        kept.add(unit);
      }
    }
    if (!slices || sequence == null || ppsBodies.isEmpty()) {
      return null;
    }
    if (decoder == null) {
      open();
    }
    return decoder.decode(kept, buffer);
  }

  /** How far pictures are turned for display. */
  public Rotation rotation() {
    return rotation;
  }

  /** Drops the decoder's reference pictures after damage; the parameter sets are kept. */
  public void reset() {
    decoder = null;
  }

  /** Notes a parameter set and returns the unit's NAL type (or -1 for an empty unit). */
  private int take(ByteBuffer unit) throws UnsupportedStreamException {
    if (!unit.hasRemaining()) {
      return -1;
    }
    int type = unit.get(unit.position()) & 0x1F;
    if (type == NAL_SPS) {
      ByteBuffer body = body(unit);
      SequenceParameters next = SequenceParameters.read(body);
      if (!next.decodable()) {
        throw new UnsupportedStreamException(next.refusal());
      }
      if (sequence != null && !sequence.sameSize(next)) {
        // A camera that switches resolution: reference pictures and buffers of the old size are useless.
        decoder = null;
        buffer = null;
        spsBodies.clear();
      }
      spsBodies.put(next.id(), body);
      sequence = next;
    } else if (type == NAL_PPS) {
      ByteBuffer body = body(unit);
      String refusal = SequenceParameters.ppsRefusal(body);
      if (refusal != null) {
        throw new UnsupportedStreamException(refusal);
      }
      ppsBodies.put(SequenceParameters.ppsId(body), body);
    }
    return type;
  }

  private void open() {
    int luma = sequence.codedWidth() * sequence.codedHeight();
    if (buffer == null) {
      buffer = new byte[][] {new byte[luma], new byte[luma / 4], new byte[luma / 4]};
    }
    decoder = decoders.create(List.copyOf(spsBodies.values()), List.copyOf(ppsBodies.values()));
  }

  /** A private copy of the unit without its header byte: JCodec unescapes the buffers it reads in place. */
  private static ByteBuffer body(ByteBuffer unit) {
    ByteBuffer copy = ByteBuffer.allocate(unit.remaining() - 1);
    copy.put(unit.duplicate().position(unit.position() + 1)).flip();
    return copy;
  }
}
