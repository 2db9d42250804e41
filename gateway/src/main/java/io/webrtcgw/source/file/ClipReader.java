package io.webrtcgw.source.file;

import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.StreamDecoder;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;

/**
 * Reads a clip's video samples straight from disk, in decode order or any sample at will, and
 * splits them into the NAL units a decoder needs. Owns the open file; not thread-safe (each
 * decoding thread has its own).
 */
final class ClipReader implements AutoCloseable {
  private static final int NAL_SLICE = 1;
  private static final int NAL_IDR_SLICE = 5;
  private static final int NAL_SPS = 7;
  private static final int NAL_PPS = 8;

  private final ClipInfo clip;
  private final StreamDecoder decoder;
  private final FileChannel channel;
  private final ByteBuffer sampleBuffer;
  private int next;

  /** One sample as stored: its place in decode order, presentation time and bytes. */
  record Sample(int index, long pts, boolean sync, ByteBuffer data) {}

  /** A reader for splitting samples only; {@link #decode} needs a decoder. */
  ClipReader(ClipInfo clip) throws IOException {
    this(clip, null);
  }

  ClipReader(ClipInfo clip, StreamDecoder decoder) throws IOException {
    this.clip = clip;
    this.decoder = decoder;
    this.channel = FileChannel.open(clip.file(), StandardOpenOption.READ);
    this.sampleBuffer = ByteBuffer.allocate(clip.samples().maxSize());
  }

  /** The next sample in decode order, or null at the end of the clip. The data is reused by the next call. */
  Sample next() throws IOException {
    if (next >= clip.samples().count()) {
      return null;
    }
    return read(next++);
  }

  /** Sample {@code index} (in decode order). The data is reused by the next call. */
  Sample read(int index) throws IOException {
    SampleTable samples = clip.samples();
    sampleBuffer.clear().limit(samples.size(index));
    long position = samples.offset(index);
    while (sampleBuffer.hasRemaining()) {
      if (channel.read(sampleBuffer, position + sampleBuffer.position()) < 0) {
        throw new EOFException("the file ended inside frame " + index + "; was it truncated after opening?");
      }
    }
    sampleBuffer.flip();
    return new Sample(index, samples.pts(index), samples.isSync(index), sampleBuffer);
  }

  /** Starts again from the first sample; the first sample is a key frame, so the decoder needs no reset. */
  void rewind() {
    next = 0;
  }

  /** Drops the decoder's reference pictures after damage, so that the next key frame starts clean. */
  void resetDecoder() {
    decoder.reset();
  }

  /**
   * Decodes one sample. Returns null if it held no picture.
   *
   * @throws DecodeException when it is damaged, overran its budget or cannot be decoded at all
   */
  DecodedPicture decode(Sample sample) throws DecodeException {
    List<ByteBuffer> nalUnits = units(sample);
    if (nalUnits.isEmpty()) {
      return null;
    }
    return decoder.decode(nalUnits, sample.pts());
  }

  /** The NAL units of a sample the decoder needs: slices, and parameter sets repeated in the stream. */
  List<ByteBuffer> units(Sample sample) {
    return pictureUnits(sample.data());
  }

  /**
   * Whether no other picture refers to this one (every slice has {@code nal_ref_idc} 0): a
   * B-frame nothing refers to can be left undecoded without harming any other frame.
   */
  static boolean disposable(List<ByteBuffer> units) {
    boolean slices = false;
    for (ByteBuffer unit : units) {
      int header = unit.get(unit.position());
      int type = header & 0x1F;
      if (type == NAL_SLICE || type == NAL_IDR_SLICE) {
        slices = true;
        if ((header & 0x60) != 0) {
          return false;
        }
      }
    }
    return slices;
  }

  private List<ByteBuffer> pictureUnits(ByteBuffer data) {
    List<ByteBuffer> units;
    try {
      units = H264Utils.splitMOVPacket(data, clip.avcC());
    } catch (RuntimeException e) {
      return List.of(); // lengths that run past the sample: nothing of it can be decoded
    }
    List<ByteBuffer> kept = new ArrayList<>(units.size());
    for (ByteBuffer unit : units) {
      if (!unit.hasRemaining()) {
        continue;
      }
      int type = unit.get(unit.position()) & 0x1F;
      if (type == NAL_SPS || type == NAL_SLICE || type == NAL_IDR_SLICE || type == NAL_PPS) {
        kept.add(unit);
      }
    }
    return kept;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
