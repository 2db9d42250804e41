package io.webrtcgw.source.rtsp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The H.264 video a camera's SDP offers: where to SETUP it, its RTP payload type and clock, and
 * the parameter sets it announces (RFC 6184 section 8.1).
 *
 * @param parameterSets the NAL units of {@code sprop-parameter-sets}, header byte first; may be
 *     empty when they come in band
 */
public record H264Media(RtspUrl control, int payloadType, int clockRate, int packetizationMode,
    List<ByteBuffer> parameterSets) {
  private static final Map<String, String> CODEC_NAMES = Map.ofEntries(
      Map.entry("H265", "H.265/HEVC"),
      Map.entry("HEVC", "H.265/HEVC"),
      Map.entry("JPEG", "Motion JPEG"),
      Map.entry("MP4V-ES", "MPEG-4 Part 2"),
      Map.entry("MP2T", "an MPEG transport stream"),
      Map.entry("MPV", "MPEG-1/2 video"),
      Map.entry("VP8", "VP8"),
      Map.entry("VP9", "VP9"),
      Map.entry("AV1", "AV1"),
      Map.entry("H263", "H.263"),
      Map.entry("H263-1998", "H.263"),
      Map.entry("H263-2000", "H.263"),
      Map.entry("RAW", "uncompressed video"));
  /** Payload types RFC 3551 assigns statically, for SDP without an rtpmap. */
  private static final Map<String, String> STATIC_TYPES =
      Map.of("26", "JPEG", "31", "H261", "32", "MPV", "33", "MP2T", "34", "H263");

  /**
   * Picks the first H.264 video in {@code sdp}; {@code base} resolves relative controls.
   *
   * @throws RtspException (retried slowly) naming what the camera offers instead
   */
  public static H264Media choose(SessionDescription sdp, RtspUrl base) throws RtspException {
    if (sdp.media().isEmpty()) {
      throw unsupported("the camera's stream description (SDP) lists no media at all");
    }
    Set<String> otherVideo = new LinkedHashSet<>();
    Set<String> otherKinds = new LinkedHashSet<>();
    for (SessionDescription.Media media : sdp.media()) {
      if (!media.type().equals("video")) {
        otherKinds.add(media.type().isEmpty() ? "unnamed" : media.type());
        continue;
      }
      for (String format : media.formats()) {
        String rtpmap = media.formatAttribute("rtpmap", format);
        String encoding = rtpmap == null ? STATIC_TYPES.getOrDefault(format, "payload type " + format) : rtpmap;
        String name = encoding.split("/")[0].trim().toUpperCase(Locale.ROOT);
        if (!name.equals("H264")) {
          otherVideo.add(CODEC_NAMES.getOrDefault(name, encoding.split("/")[0].trim()));
          continue;
        }
        if (media.protocol().toUpperCase(Locale.ROOT).contains("SAVP")) {
          throw unsupported("the camera sends its H.264 video encrypted (SRTP, " + media.protocol()
              + "), which is not supported");
        }
        return of(media, format, rtpmap, base);
      }
    }
    if (!otherVideo.isEmpty()) {
      String names = String.join(", ", otherVideo);
      String why = otherVideo.contains("H.265/HEVC")
          ? "JCodec, the gateway's decoder, cannot decode H.265/HEVC; set the camera's stream to H.264"
          : "only H.264 can be played; set the camera's stream to H.264";
      throw unsupported("the camera sends " + names + " video; " + why);
    }
    throw unsupported("the camera offers no video track (only " + String.join(", ", otherKinds) + ")");
  }

  private static H264Media of(SessionDescription.Media media, String format, String rtpmap, RtspUrl base)
      throws RtspException {
    int payloadType = parseInt(format, -1);
    if (payloadType < 0 || payloadType > 127) {
      throw unsupported("the camera's SDP names an invalid RTP payload type for H.264: " + format);
    }
    String[] map = rtpmap.split("/");
    int clockRate = map.length > 1 ? parseInt(map[1].trim(), 90000) : 90000;
    if (clockRate <= 0) {
      clockRate = 90000;
    }
    int mode = 0;
    List<ByteBuffer> parameterSets = new ArrayList<>();
    String fmtp = media.formatAttribute("fmtp", format);
    if (fmtp != null) {
      for (String parameter : fmtp.split(";")) {
        int eq = parameter.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = parameter.substring(eq + 1).trim();
        if (key.equals("packetization-mode")) {
          mode = parseInt(value, 0);
        } else if (key.equals("sprop-parameter-sets")) {
          for (String set : value.split(",")) {
            try {
              byte[] unit = Base64.getDecoder().decode(set.trim());
              if (unit.length > 1) {
                parameterSets.add(ByteBuffer.wrap(unit).asReadOnlyBuffer());
              }
            } catch (IllegalArgumentException e) {
              // A damaged entry is skipped: the parameter sets usually come in band as well.
            }
          }
        }
      }
    }
    if (mode == 2) {
      throw unsupported("the camera uses H.264 packetization mode 2 (interleaved), which is not supported;"
          + " modes 0 and 1 are");
    }
    String control = media.attribute("control");
    RtspUrl url;
    try {
      url = control == null ? base : base.resolve(control.trim());
    } catch (IllegalArgumentException e) {
      throw unsupported("the camera's SDP names a track URL that cannot be used: " + e.getMessage());
    }
    return new H264Media(url, payloadType, clockRate, mode, List.copyOf(parameterSets));
  }

  private static int parseInt(String text, int fallback) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static RtspException unsupported(String message) {
    return new RtspException(message, RtspException.Retry.SLOWLY);
  }
}
