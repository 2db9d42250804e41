package io.webrtcgw.source.h264;

import java.nio.ByteBuffer;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.PictureParameterSet;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.ColorSpace;

/**
 * What one H.264 sequence parameter set says about the pictures that follow it: profile, coded
 * size (whole macroblocks), the visible part of it, how deep B-frames reorder, and whether JCodec
 * can decode it at all.
 *
 * @param reorderDepth frames a decoder must hold back to output in presentation order, from the
 *     SPS's bitstream restrictions; -1 when the SPS does not say
 * @param refusal why JCodec cannot decode these pictures, or null when it can
 */
public record SequenceParameters(
    int id,
    String profile,
    int codedWidth,
    int codedHeight,
    int cropX,
    int cropY,
    int width,
    int height,
    boolean interlaced,
    int reorderDepth,
    String refusal) {
  /** Larger coded sides are refused: damaged bytes can claim any size, and buffers follow it. */
  public static final int MAX_CODED_SIDE = 4096;

  /** Whether JCodec can decode what this SPS describes. */
  public boolean decodable() {
    return refusal == null;
  }

  /** Whether pictures under {@code other} need buffers of another size than pictures under this. */
  public boolean sameSize(SequenceParameters other) {
    return other != null && codedWidth == other.codedWidth && codedHeight == other.codedHeight;
  }

  /**
   * Reads an SPS given without its NAL header byte, emulation prevention bytes still in. The buffer
   * is left as it was.
   *
   * @throws IllegalArgumentException when the bytes are damaged
   */
  public static SequenceParameters read(ByteBuffer body) {
    SeqParameterSet sps;
    try {
      sps = H264Utils.readSPS(NIOUtils.clone(body));
    } catch (RuntimeException | OutOfMemoryError e) {
      // A damaged count in a parameter set can ask JCodec for an impossible array, which fails at
      // once without using the memory.
      throw new IllegalArgumentException("damaged H.264 sequence parameter set (SPS): " + e, e);
    }
    int codedWidth = (sps.picWidthInMbsMinus1 + 1) * 16;
    int codedHeight = SeqParameterSet.getPicHeightInMbs(sps) * 16;
    if (codedWidth <= 0 || codedHeight <= 0) {
      throw new IllegalArgumentException("damaged H.264 sequence parameter set (SPS): no picture size");
    }
    int cropX = 0;
    int cropY = 0;
    int width = codedWidth;
    int height = codedHeight;
    if (sps.frameCroppingFlag) {
      // Crop offsets count chroma samples: two luma samples each way for 4:2:0 progressive video.
      cropX = sps.frameCropLeftOffset * 2;
      cropY = sps.frameCropTopOffset * 2;
      width = codedWidth - cropX - sps.frameCropRightOffset * 2;
      height = codedHeight - cropY - sps.frameCropBottomOffset * 2;
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("damaged H.264 sequence parameter set (SPS): cropping leaves no picture");
      }
    }
    int reorderDepth = -1;
    if (sps.vuiParams != null && sps.vuiParams.bitstreamRestriction != null) {
      reorderDepth = Math.max(0, Math.min(16, sps.vuiParams.bitstreamRestriction.numReorderFrames));
    }
    boolean interlaced = !sps.frameMbsOnlyFlag || sps.mbAdaptiveFrameFieldFlag;
    return new SequenceParameters(sps.seqParameterSetId, profileName(sps), codedWidth, codedHeight,
        cropX, cropY, width, height, interlaced, reorderDepth, refusal(sps, codedWidth, codedHeight, interlaced));
  }

  /**
   * Why JCodec cannot decode pictures under a PPS (given without its NAL header byte), or null when
   * it can.
   *
   * @throws IllegalArgumentException when the bytes are damaged
   */
  public static String ppsRefusal(ByteBuffer body) {
    PictureParameterSet pps;
    try {
      pps = H264Utils.readPPS(NIOUtils.clone(body));
    } catch (RuntimeException | OutOfMemoryError e) {
      throw new IllegalArgumentException("damaged H.264 picture parameter set (PPS): " + e, e);
    }
    return pps.constrainedIntraPredFlag ? "uses H.264 constrained intra prediction, which JCodec cannot decode" : null;
  }

  /**
   * The id of a PPS given without its NAL header byte: the first Exp-Golomb code of the body.
   * Emulation prevention cannot occur this early.
   *
   * @throws IllegalArgumentException when the bytes are damaged
   */
  public static int ppsId(ByteBuffer body) {
    int bit = 0;
    int zeros = 0;
    int limit = body.remaining() * 8;
    while (bit < limit && bitAt(body, bit) == 0) {
      zeros++;
      bit++;
    }
    if (bit >= limit || zeros > 8) {
      throw new IllegalArgumentException("damaged H.264 picture parameter set (PPS): no id");
    }
    bit++;
    int value = 0;
    for (int i = 0; i < zeros; i++, bit++) {
      if (bit >= limit) {
        throw new IllegalArgumentException("damaged H.264 picture parameter set (PPS): id cut short");
      }
      value = (value << 1) | bitAt(body, bit);
    }
    return (1 << zeros) - 1 + value;
  }

  private static int bitAt(ByteBuffer body, int bit) {
    return (body.get(body.position() + bit / 8) >> (7 - bit % 8)) & 1;
  }

  /** What JCodec's decoder cannot do, said before a viewer waits for it. */
  private static String refusal(SeqParameterSet sps, int codedWidth, int codedHeight, boolean interlaced) {
    if (sps.profileIdc != 66 && sps.profileIdc != 77 && sps.profileIdc != 100) {
      return "uses the H.264 " + profileName(sps) + " profile; only Baseline, Main and High (8-bit 4:2:0)"
          + " can be decoded";
    }
    if (sps.chromaFormatIdc != ColorSpace.YUV420J) {
      return "uses " + sps.chromaFormatIdc + " chroma; only 4:2:0 H.264 can be decoded";
    }
    if (sps.bitDepthLumaMinus8 != 0 || sps.bitDepthChromaMinus8 != 0) {
      return "uses " + (sps.bitDepthLumaMinus8 + 8) + "-bit H.264; only 8-bit can be decoded";
    }
    if (interlaced) {
      return "is interlaced H.264, which JCodec cannot decode";
    }
    if (sps.qpprimeYZeroTransformBypassFlag) {
      return "uses lossless H.264 (transform bypass), which JCodec cannot decode";
    }
    if (codedWidth > MAX_CODED_SIDE || codedHeight > MAX_CODED_SIDE) {
      return "is " + codedWidth + "x" + codedHeight + ", larger than the " + MAX_CODED_SIDE + " per side accepted";
    }
    return null;
  }

  private static String profileName(SeqParameterSet sps) {
    return switch (sps.profileIdc) {
      case 66 -> sps.constraintSet1Flag ? "Constrained Baseline" : "Baseline";
      case 77 -> "Main";
      case 88 -> "Extended";
      case 100 -> "High";
      case 110 -> "High 10";
      case 122 -> "High 4:2:2";
      case 244 -> "High 4:4:4 Predictive";
      case 44 -> "CAVLC 4:4:4 Intra";
      default -> "profile_idc " + sps.profileIdc;
    };
  }
}
