package io.webrtcgw.source.file;

import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.h264.Rotation;
import io.webrtcgw.source.h264.SequenceParameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jcodec.codecs.h264.mp4.AvcCBox;

/**
 * Checks up front that a file is an MP4/MOV with a playable H.264 video track, and fails with one
 * sentence a person can act on when it is not. Reads the box structure and the index only, never
 * the media data.
 */
final class Mp4Probe {
  private static final long MAX_INDEX_SIZE = 64L << 20;
  private static final int MAX_TOP_LEVEL_BOXES = 1_000_000;
  private static final int MAX_GAP_SECONDS = 20;
  /** Bytes before the child boxes of a visual sample entry such as {@code avc1}. */
  private static final int VISUAL_SAMPLE_ENTRY_SIZE = 78;
  private static final Set<String> OPENING_BOXES = Set.of(
      "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "styp", "sidx", "moof", "pdin", "meta", "junk");
  private static final String REENCODE = "ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p OUT.mp4";
  private static final String REMUX = "ffmpeg -i IN -c copy -movflags +faststart OUT.mp4";
  private static final Map<String, String> CODEC_NAMES = Map.ofEntries(
      Map.entry("hvc1", "H.265/HEVC"),
      Map.entry("hev1", "H.265/HEVC"),
      Map.entry("dvh1", "Dolby Vision (HEVC)"),
      Map.entry("dvhe", "Dolby Vision (HEVC)"),
      Map.entry("av01", "AV1"),
      Map.entry("vp08", "VP8"),
      Map.entry("vp09", "VP9"),
      Map.entry("mp4v", "MPEG-4 Part 2"),
      Map.entry("s263", "H.263"),
      Map.entry("h263", "H.263"),
      Map.entry("mjpa", "Motion JPEG"),
      Map.entry("mjpb", "Motion JPEG"),
      Map.entry("jpeg", "Motion JPEG"),
      Map.entry("apch", "Apple ProRes"),
      Map.entry("apcn", "Apple ProRes"),
      Map.entry("apcs", "Apple ProRes"),
      Map.entry("apco", "Apple ProRes"),
      Map.entry("ap4h", "Apple ProRes"),
      Map.entry("ap4x", "Apple ProRes"),
      Map.entry("m2v1", "MPEG-2"),
      Map.entry("mp2v", "MPEG-2"),
      Map.entry("encv", "encrypted (DRM-protected) video"),
      Map.entry("png ", "PNG images"),
      Map.entry("rle ", "QuickTime Animation"));

  private final Path file;

  private Mp4Probe(Path file) {
    this.file = file;
  }

  /** Probes {@code file}; the exception message starts with "file '<path>'" and gives the reason. */
  static ClipInfo probe(Path file) throws SourceException {
    return new Mp4Probe(file).probe();
  }

  private ClipInfo probe() throws SourceException {
    checkReadableFile();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        throw fail("is empty");
      }
      ByteBuffer head = read(channel, 0, (int) Math.min(size, 512));
      String foreign = foreignFormat(head, size);
      if (foreign != null) {
        throw fail("is not an MP4/MOV file: it looks like " + foreign);
      }
      TopLevel top = walkTopLevel(channel, size);
      Mp4Box moov = readIndex(channel, top, size);
      Mp4Box trak = videoTrack(moov, top);
      return describeTrack(trak, top, size);
    } catch (AccessDeniedException e) {
      throw fail("cannot be read (permission denied)");
    } catch (IOException e) {
      throw fail("cannot be read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw fail("has a damaged index: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw fail("has a damaged index: " + e, e);
    }
  }

  private void checkReadableFile() throws SourceException {
    if (!Files.exists(file)) {
      String where = file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath().normalize() + ")";
      throw fail("does not exist" + where);
    }
    if (Files.isDirectory(file)) {
      throw fail("is a directory, not a video file");
    }
    if (!Files.isReadable(file)) {
      throw fail("cannot be read (permission denied)");
    }
  }

  /** The file's top-level boxes, as far as they fit in the file. */
  private record TopLevel(List<TopBox> boxes, TopBox cutShort) {
    TopBox find(String type) {
      for (TopBox box : boxes) {
        if (box.type.equals(type)) {
          return box;
        }
      }
      return null;
    }
  }

  private record TopBox(String type, long offset, long size, int headerSize) {
    long end() {
      return offset + size;
    }
  }

  private TopLevel walkTopLevel(FileChannel channel, long fileSize) throws IOException, SourceException {
    List<TopBox> boxes = new ArrayList<>();
    long offset = 0;
    while (fileSize - offset >= 8) {
      ByteBuffer header = read(channel, offset, (int) Math.min(16, fileSize - offset));
      long size = Integer.toUnsignedLong(header.getInt());
      String type = fourcc(header);
      if (type == null) {
        if (offset == 0) {
          throw fail("is not an MP4/MOV file (it does not start with an MP4 box such as 'ftyp')");
        }
        throw fail("is damaged: the box structure breaks off at byte " + offset + " of " + fileSize);
      }
      int headerSize = 8;
      if (size == 1) {
        if (header.remaining() < 8) {
          break;
        }
        size = header.getLong();
        headerSize = 16;
      } else if (size == 0) {
        size = fileSize - offset;
      }
      if (offset == 0 && !OPENING_BOXES.contains(type)) {
        throw fail("is not an MP4/MOV file (it starts with '" + printable(type)
            + "' instead of an MP4 box such as 'ftyp')");
      }
      if (size < headerSize) {
        throw fail("is damaged: box '" + printable(type) + "' at byte " + offset
            + " has an impossible size of " + size);
      }
      TopBox box = new TopBox(type, offset, size, headerSize);
      if (box.end() > fileSize || box.end() < 0) {
        return new TopLevel(boxes, box);
      }
      boxes.add(box);
      if (boxes.size() > MAX_TOP_LEVEL_BOXES) {
        throw fail("is damaged: it has more than " + MAX_TOP_LEVEL_BOXES + " top-level boxes");
      }
      offset = box.end();
    }
    return new TopLevel(boxes, null);
  }

  private Mp4Box readIndex(FileChannel channel, TopLevel top, long fileSize) throws IOException, SourceException {
    TopBox moov = top.find("moov");
    if (moov == null) {
      if (top.cutShort != null && top.cutShort.type.equals("moov")) {
        throw fail(String.format(Locale.ROOT,
            "is truncated: its index (moov box) needs %d bytes but the file ends after %d",
            top.cutShort.end(), fileSize));
      }
      if (top.find("moof") != null) {
        throw fail("has no index (no moov box): it is a fragment of a stream (moof boxes) without its"
            + " initialization segment");
      }
      if (top.cutShort != null && top.cutShort.type.equals("mdat")) {
        throw fail(String.format(Locale.ROOT,
            "is truncated and has no index (no moov box): the media data is cut off at byte %d of %d,"
                + " as when a recording stops before it is finalized",
            fileSize, top.cutShort.end()));
      }
      throw fail("has no index (no moov box), so its frames cannot be found; if it came from a recorder"
          + " that was stopped abruptly it cannot be played");
    }
    if (moov.size > MAX_INDEX_SIZE) {
      throw fail("has an index (moov box) of " + moov.size + " bytes, more than this player accepts");
    }
    return new Mp4Box("moov", read(channel, moov.offset + moov.headerSize, (int) (moov.size - moov.headerSize)));
  }

  private Mp4Box videoTrack(Mp4Box moov, TopLevel top) throws SourceException {
    List<String> others = new ArrayList<>();
    Mp4Box firstVideo = null;
    int tracks = 0;
    for (Mp4Box trak : moov.children()) {
      if (!trak.type().equals("trak")) {
        continue;
      }
      tracks++;
      String handler = handler(trak);
      Mp4Box entry = sampleEntry(trak);
      if ("vide".equals(handler) && entry != null) {
        if (isH264(entry.type())) {
          return trak;
        }
        if (firstVideo == null) {
          firstVideo = trak;
        }
      } else {
        others.add(kindOf(handler) + (entry == null ? "" : " (" + printable(entry.type()).trim() + ")"));
      }
    }
    if (firstVideo != null) {
      String fourcc = sampleEntry(firstVideo).type();
      String name = CODEC_NAMES.getOrDefault(fourcc, "'" + printable(fourcc) + "'");
      throw fail("uses " + name + " video (" + printable(fourcc).trim() + "); only H.264 can be played,"
          + " re-encode it, e.g. " + REENCODE);
    }
    if (tracks == 0) {
      if (moov.child("mvex") != null || top.find("moof") != null) {
        throw fail("is a fragmented MP4 whose tracks are empty; remux it, e.g. " + REMUX);
      }
      throw fail("has no tracks at all");
    }
    if (others.isEmpty()) {
      throw fail("has no playable video track");
    }
    throw fail("has no video track (it holds only " + String.join(", ", others) + ")");
  }

  private ClipInfo describeTrack(Mp4Box trak, TopLevel top, long fileSize) throws SourceException {
    Mp4Box entry = sampleEntry(trak);
    Mp4Box avcCBox = null;
    for (Mp4Box child : Mp4Box.children(entry.from(VISUAL_SAMPLE_ENTRY_SIZE))) {
      if (child.type().equals("avcC")) {
        avcCBox = child;
        break;
      }
    }
    AvcCBox avcC = null;
    if (avcCBox != null) {
      try {
        avcC = AvcCBox.parseAvcCBox(avcCBox.body().duplicate());
      } catch (RuntimeException e) {
        throw fail("has a damaged H.264 decoder configuration (avcC): " + e, e);
      }
    }
    if (avcC == null || avcC.getSpsList().isEmpty() || avcC.getPpsList().isEmpty()) {
      if (entry.type().equals("avc3")) {
        throw fail("stores its H.264 parameter sets only inside the stream (avc3), which this player cannot"
            + " read; remux it, e.g. ffmpeg -i IN -c copy -tag:v avc1 OUT.mp4");
      }
      throw fail("has an H.264 track without its parameter sets (avcC with SPS and PPS); remux it, e.g. "
          + REMUX);
    }
    SequenceParameters sps;
    String ppsRefusal = null;
    try {
      sps = SequenceParameters.read(avcC.getSpsList().get(0));
      for (ByteBuffer pps : avcC.getPpsList()) {
        if (ppsRefusal == null) {
          ppsRefusal = SequenceParameters.ppsRefusal(pps);
        }
      }
    } catch (IllegalArgumentException e) {
      throw fail("has " + e.getMessage(), e);
    }
    if (!sps.decodable()) {
      throw fail(sps.refusal() + (sps.refusal().startsWith("is interlaced")
          ? "; re-encode it progressive, e.g. ffmpeg -i IN -vf yadif -c:v libx264 OUT.mp4"
          : ", re-encode it, e.g. " + REENCODE));
    }
    if (ppsRefusal != null) {
      throw fail(ppsRefusal + "; re-encode it, e.g. " + REENCODE);
    }
    String profile = sps.profile();
    int codedWidth = sps.codedWidth();
    int codedHeight = sps.codedHeight();
    int cropX = sps.cropX();
    int cropY = sps.cropY();
    int cropWidth = sps.width();
    int cropHeight = sps.height();

    int timescale = timescale(trak);
    if (timescale <= 0) {
      throw fail("has a damaged index: the video track's timescale is " + timescale);
    }
    SampleTable samples;
    try {
      Mp4Box stbl = trak.find("mdia", "minf", "stbl");
      samples = SampleTable.of(stbl, fileSize);
    } catch (IllegalArgumentException e) {
      throw fail("has a damaged index: " + e.getMessage(), e);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw fail("has a damaged index: " + e, e);
    }
    if (samples.count() == 0) {
      if (top.find("moof") != null) {
        throw fail("is a fragmented MP4 (its frames are in moof fragments, not in the index), which this"
            + " player cannot read; remux it, e.g. " + REMUX);
      }
      throw fail("has a video track without frames");
    }
    int beyond = samples.firstSampleBeyond(fileSize);
    if (beyond >= 0) {
      throw fail(String.format(Locale.ROOT,
          "is truncated: %d of its %d video frames lie beyond the end of the file (%d bytes)",
          samples.samplesBeyond(fileSize), samples.count(), fileSize));
    }
    if (samples.totalDuration() <= 0 || samples.spanTicks() <= 0) {
      throw fail("has a damaged index: its frames have no duration");
    }
    long gap = samples.longestGap();
    if (gap > MAX_GAP_SECONDS * (long) timescale) {
      // Pacing waits for each frame's time; a damaged timestamp would hold the picture for hours.
      throw fail(String.format(Locale.ROOT,
          "has damaged timestamps: %.1f s pass between two of its frames (at most %d s are accepted)",
          (double) gap / timescale, MAX_GAP_SECONDS));
    }
    Rotation rotation = rotation(matrix(trak));
    if (rotation == null) {
      // Mirroring or scaling matrices are rare; showing the picture as coded beats refusing it.
      rotation = Rotation.NONE;
    }
    double rawFps = (double) samples.count() * timescale / samples.totalDuration();
    if (rawFps > 240) {
      throw fail(String.format(Locale.ROOT,
          "has %.0f frames per second (%d frames in %.3f s), more than the 240 this player can pace",
          rawFps, samples.count(), (double) samples.totalDuration() / timescale));
    }
    double fps = Math.round(rawFps * 1000) / 1000.0;
    if (!(fps > 0)) {
      fps = rawFps;
    }
    return new ClipInfo(
        file, avcC, profile, codedWidth, codedHeight, cropX, cropY, cropWidth, cropHeight,
        rotation, timescale, samples, samples.reorderDepth(), fps);
  }

  private static boolean isH264(String fourcc) {
    return fourcc.equals("avc1") || fourcc.equals("avc3");
  }

  /** The track's handler type ({@code vide}, {@code soun}, ...), or null. */
  private static String handler(Mp4Box trak) {
    Mp4Box hdlr = trak.find("mdia", "hdlr");
    if (hdlr == null) {
      return null;
    }
    byte[] type = new byte[4];
    hdlr.head(12).get(8, type);
    return new String(type, StandardCharsets.ISO_8859_1);
  }

  /** The track's first sample description, whose type names the codec, or null. */
  private static Mp4Box sampleEntry(Mp4Box trak) {
    Mp4Box stsd = trak.find("mdia", "minf", "stbl", "stsd");
    if (stsd == null) {
      return null;
    }
    List<Mp4Box> entries = Mp4Box.children(stsd.from(8));
    return entries.isEmpty() ? null : entries.get(0);
  }

  /** The media timescale from {@code mdhd}: ticks per second of the track's timestamps. */
  private static int timescale(Mp4Box trak) {
    Mp4Box mdhd = trak.find("mdia", "mdhd");
    if (mdhd == null) {
      throw new IllegalArgumentException("the video track has no media header (mdhd)");
    }
    return mdhd.version() == 1 ? mdhd.head(24).getInt(20) : mdhd.head(16).getInt(12);
  }

  /**
   * The rotation of a {@code tkhd} matrix {a, b, u, c, d, v, x, y, w} in 16.16 fixed point.
   * Mirrored or scaled matrices yield null: they are rare and not worth guessing at.
   */
  static Rotation rotation(int[] m) {
    if (m == null || m.length < 5) {
      return Rotation.NONE;
    }
    int one = 0x10000;
    if (m[0] == one && m[1] == 0 && m[3] == 0 && m[4] == one) {
      return Rotation.NONE;
    }
    if (m[0] == 0 && m[1] == one && m[3] == -one && m[4] == 0) {
      return Rotation.CW90;
    }
    if (m[0] == -one && m[1] == 0 && m[3] == 0 && m[4] == -one) {
      return Rotation.CW180;
    }
    if (m[0] == 0 && m[1] == -one && m[3] == one && m[4] == 0) {
      return Rotation.CW270;
    }
    return null;
  }

  /** The display matrix from {@code tkhd}, or null if there is none. */
  private static int[] matrix(Mp4Box trak) {
    Mp4Box tkhd = trak.child("tkhd");
    if (tkhd == null) {
      return null;
    }
    int offset = tkhd.version() == 1 ? 52 : 40;
    ByteBuffer body = tkhd.head(offset + 36);
    int[] matrix = new int[9];
    for (int i = 0; i < 9; i++) {
      matrix[i] = body.getInt(offset + 4 * i);
    }
    return matrix;
  }

  private static String kindOf(String handler) {
    if (handler == null) {
      return "an unknown track";
    }
    return switch (handler) {
      case "soun" -> "audio";
      case "text", "sbtl", "subt", "clcp" -> "subtitles";
      case "tmcd" -> "timecode";
      case "hint" -> "hints";
      case "meta" -> "metadata";
      default -> "'" + printable(handler) + "'";
    };
  }

  /** Names common non-MP4 formats from their magic numbers, or null. */
  static String foreignFormat(ByteBuffer head, long fileSize) {
    byte[] b = new byte[head.remaining()];
    head.duplicate().get(b);
    if (startsWith(b, 0x89, 'P', 'N', 'G')) {
      return "a PNG image";
    }
    if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
      return "a JPEG image";
    }
    if (startsWith(b, 'G', 'I', 'F', '8')) {
      return "a GIF image";
    }
    if (startsWith(b, 0x1A, 0x45, 0xDF, 0xA3)) {
      return "a Matroska/WebM file; remux it to MP4, e.g. ffmpeg -i IN.mkv -c copy OUT.mp4";
    }
    if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12) {
      String form = new String(b, 8, 4, StandardCharsets.US_ASCII);
      return form.startsWith("AVI") ? "an AVI file" : form.equals("WAVE") ? "a WAV audio file" : "a RIFF file";
    }
    if (startsWith(b, 'F', 'L', 'V')) {
      return "a Flash video (FLV) file";
    }
    if (startsWith(b, 'O', 'g', 'g', 'S')) {
      return "an Ogg file";
    }
    if (startsWith(b, 'I', 'D', '3') || (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0)) {
      return "an MP3 audio file";
    }
    if (startsWith(b, 0x00, 0x00, 0x01, 0xBA)) {
      return "an MPEG program stream";
    }
    if (b.length > 188 && b[0] == 0x47 && b[188] == 0x47) {
      return "an MPEG transport stream (.ts); remux it to MP4, e.g. ffmpeg -i IN.ts -c copy OUT.mp4";
    }
    boolean boxFollows = b.length >= 8 && fourcc(ByteBuffer.wrap(b, 4, 4)) != null;
    if (!boxFollows && (startsWith(b, 0x00, 0x00, 0x00, 0x01) || startsWith(b, 0x00, 0x00, 0x01))) {
      return "a raw H.264/H.265 stream without a container; wrap it, e.g. ffmpeg -i IN.h264 -c copy OUT.mp4";
    }
    if (startsWith(b, '%', 'P', 'D', 'F')) {
      return "a PDF document";
    }
    if (startsWith(b, 'P', 'K', 0x03, 0x04)) {
      return "a ZIP archive";
    }
    return null;
  }

  private static boolean startsWith(byte[] data, int... magic) {
    if (data.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((data[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** The four-character box type, or null if it is not printable ASCII (so not a box at all). */
  private static String fourcc(ByteBuffer header) {
    byte[] type = new byte[4];
    header.get(type);
    for (byte c : type) {
      if (c < 0x20 || c > 0x7E) {
        return null;
      }
    }
    return new String(type, StandardCharsets.US_ASCII);
  }

  private static String printable(String text) {
    return Mp4Box.printable(text);
  }

  private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }

  private SourceException fail(String reason) {
    return new SourceException("file '" + file + "' " + reason);
  }

  private SourceException fail(String reason, Throwable cause) {
    return new SourceException("file '" + file + "' " + reason, cause);
  }
}
