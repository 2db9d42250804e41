package io.webrtcgw.source.file;

import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.PictureDecoder;
import io.webrtcgw.source.h264.SequenceParameters;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.common.model.Picture;

/**
 * Reads a clip's video samples in decode order straight from disk and decodes them, for one run of
 * a {@link FileSource}. Owns the open file and the decoder; not thread-safe.
 */
final class ClipReader implements AutoCloseable {
  private static final int NAL_SLICE = 1;
  private static final int NAL_IDR_SLICE = 5;
  private static final int NAL_SPS = 7;
  private static final int NAL_PPS = 8;

  private final ClipInfo clip;
  private final PictureDecoder.Factory decoders;
  private final FileChannel channel;
  private final ByteBuffer sampleBuffer;
  private final byte[][] pictureBuffer;
  private PictureDecoder decoder;
  private int next;

  /** One sample as stored: its place in decode order, presentation time and bytes. */
  record Sample(int index, long pts, boolean sync, ByteBuffer data) {}

  ClipReader(ClipInfo clip, PictureDecoder.Factory decoders) throws IOException {
    this.clip = clip;
    this.decoders = decoders;
    this.channel = FileChannel.open(clip.file(), StandardOpenOption.READ);
    this.sampleBuffer = ByteBuffer.allocate(clip.samples().maxSize());
    int luma = clip.codedWidth() * clip.codedHeight();
    this.pictureBuffer = new byte[][] {new byte[luma], new byte[luma / 4], new byte[luma / 4]};
    this.decoder = newDecoder();
  }

  /** The next sample in decode order, or null at the end of the clip. The data is reused by the next call. */
  Sample next() throws IOException {
    SampleTable samples = clip.samples();
    if (next >= samples.count()) {
      return null;
    }
    int index = next++;
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

  /** Drops the decoder's state after damage, so that the next key frame starts clean. */
  void resetDecoder() {
    decoder = newDecoder();
  }

  private PictureDecoder newDecoder() {
    return decoders.create(clip.avcC().getSpsList(), clip.avcC().getPpsList());
  }

  /**
   * Decodes one sample. Returns null if it held no picture; throws a runtime exception if it is
   * damaged.
   */
  DecodedPicture decode(Sample sample) {
    List<ByteBuffer> nalUnits = pictureUnits(sample.data());
    if (nalUnits.isEmpty()) {
      return null;
    }
    Picture picture = decoder.decode(nalUnits, pictureBuffer);
    if (picture == null) {
      return null;
    }
    return DecodedPicture.of(picture, clip.rotation(), sample.pts());
  }

  /**
   * The NAL units the decoder needs: slices, and parameter sets repeated in the stream. A parameter
   * set that would change the picture size is refused, because the decoder would write past the
   * buffers sized at open (and damaged bytes can claim any size).
   */
  private List<ByteBuffer> pictureUnits(ByteBuffer data) {
    List<ByteBuffer> units = H264Utils.splitMOVPacket(data, clip.avcC());
    List<ByteBuffer> kept = new ArrayList<>(units.size());
    for (ByteBuffer unit : units) {
      if (!unit.hasRemaining()) {
        continue;
      }
      int type = unit.get(unit.position()) & 0x1F;
      if (type == NAL_SPS) {
        ByteBuffer body = unit.duplicate();
        body.get();
        SequenceParameters sps = SequenceParameters.read(body);
        if (sps.codedWidth() != clip.codedWidth() || sps.codedHeight() != clip.codedHeight()) {
          throw new IllegalStateException(
              "an in-stream SPS changes the picture to " + sps.codedWidth() + "x" + sps.codedHeight());
        }
        kept.add(unit);
      } else if (type == NAL_SLICE || type == NAL_IDR_SLICE || type == NAL_PPS) {
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
