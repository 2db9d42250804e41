package io.webrtcgw.rtc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The two changes the gateway makes to a viewer's offer before applying it, because libwebrtc (in
 * webrtc-java 0.14) takes the sender's codec and start bitrate from the remote description and
 * webrtc-java exposes neither as an API ({@code RTCRtpEncodingParameters.codec}, the bitrate
 * settings). Only the video m-lines' payload order and fmtp parameters change; every codec stays
 * offered, and the browser never sees the edited copy.
 */
final class OfferEdits {
  /**
   * The gateway's video codecs, cheapest to encode per viewer first: libwebrtc encodes once per
   * viewer, and the benchmark (README, "Benchmark") measured OpenH264 below libvpx VP8 per viewer
   * at the same size and bitrate. setCodecPreferences on the gateway's transceiver only reorders
   * the answer, not what is sent.
   */
  static final List<String> GATEWAY_ORDER = List.of("H264", "VP8");

  /**
   * Start bitrate, kbit/s. libwebrtc starts at 300 and, below 300 (500) kbit/s of target, drops up
   * to four initial frames larger than 320x240 (640x480) waiting for the source to shrink them,
   * which the shared source never does: half the page loads of a 640x360 stream and every load of
   * a 720p one showed their first frame ~150 ms later. Bandwidth estimation moves from here within
   * a second either way (mediasoup starts at 600 too); an encoding capped lower starts at its cap.
   */
  static final int START_BITRATE_KBPS = 600;
  /**
   * A wall's start bitrate per video section, kbit/s, and its ceiling. The start is the whole
   * transport's, shared by every sender on it: 600 kbit/s spread over 16 tiles starved each
   * tile's encoder (measured: 15-25 fps for the first seconds instead of 30) until bandwidth
   * estimation caught up. 300 kbit/s is a 320x180 tile's cap (EncodingLimits).
   */
  static final int WALL_START_KBPS_PER_SECTION = 300;
  static final int WALL_START_KBPS_MAX = 8000;

  private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");
  private static final Set<String> NOT_MEDIA = Set.of("RTX", "RED", "ULPFEC", "FLEXFEC-03");

  private OfferEdits() {}

  /** Both edits with the gateway's settings. */
  static String forGateway(String sdp) {
    return forGateway(sdp, false);
  }

  /** Both edits; a wall's start bitrate grows with its video sections, as it is shared by all of them. */
  static String forGateway(String sdp, boolean wall) {
    Offer offer = new Offer(withoutStrayPayloadAttributes(sdp));
    preferCodecs(offer, GATEWAY_ORDER);
    int kbps = wall
        ? Math.min(WALL_START_KBPS_MAX, Math.max(START_BITRATE_KBPS, WALL_START_KBPS_PER_SECTION * offer.videoSections.size()))
        : START_BITRATE_KBPS;
    return startBitrate(offer, kbps);
  }

  /**
   * {@code sdp} with each video m-line's payload types sorted by {@code order} (codec names, most
   * preferred first; unnamed codecs after, in the offer's order). H.264 in packetization mode 1
   * goes before mode 0, which forces small slices on the encoder.
   */
  static String preferCodecs(String sdp, List<String> order) {
    Offer offer = new Offer(sdp);
    preferCodecs(offer, order);
    return offer.toString();
  }

  /** Reorders {@code offer}'s m-lines in place; no line is added or removed. */
  private static void preferCodecs(Offer offer, List<String> order) {
    for (Offer.Section section : offer.videoSections) {
      String[] fields = offer.lines.get(section.mLine).split(" ");
      if (fields.length <= 4) {
        continue;
      }
      List<String> types = new ArrayList<>(List.of(fields).subList(3, fields.length));
      types.sort(Comparator.comparingInt((String pt) -> rank(section.names.get(pt), order))
          .thenComparing(pt -> String.valueOf(section.fmtps.get(pt)).contains("packetization-mode=0")));
      offer.lines.set(section.mLine, String.join(" ", List.of(fields).subList(0, 3)) + " " + String.join(" ", types));
    }
  }

  /**
   * {@code sdp} with {@code x-google-start-bitrate} on every video codec of its video m-lines
   * (retransmission and FEC formats aside), added to a codec's fmtp line or as a new one.
   */
  static String startBitrate(String sdp, int kbps) {
    return startBitrate(new Offer(sdp), kbps);
  }

  private static String startBitrate(Offer offer, int kbps) {
    String parameter = "x-google-start-bitrate=" + kbps;
    Map<Integer, String> appendAfter = new HashMap<>();
    for (Offer.Section section : offer.videoSections) {
      for (Map.Entry<String, String> codec : section.names.entrySet()) {
        String pt = codec.getKey();
        if (NOT_MEDIA.contains(codec.getValue())) {
          continue;
        }
        Integer fmtp = section.fmtpLines.get(pt);
        if (fmtp == null) {
          appendAfter.put(section.rtpmapLines.get(pt), "a=fmtp:" + pt + " " + parameter);
        } else if (!offer.lines.get(fmtp).contains("x-google-start-bitrate=")) {
          offer.lines.set(fmtp, offer.lines.get(fmtp) + ";" + parameter);
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < offer.lines.size(); i++) {
      out.add(offer.lines.get(i));
      if (appendAfter.containsKey(i)) {
        out.add(appendAfter.get(i));
      }
    }
    return String.join(offer.eol, out);
  }

  /**
   * {@code sdp} without the rtpmap, fmtp and rtcp-fb lines of payload types that their m-line does
   * not list. RFC 8866 has them ignored; libwebrtc instead refuses the whole offer ("Failed to parse
   * codecs correctly"). Firefox writes rtcp-fb lines for every codec it has even after
   * setCodecPreferences left most of them out, which is how a wall's offer from Firefox looks.
   */
  static String withoutStrayPayloadAttributes(String sdp) {
    String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
    List<String> out = new ArrayList<>();
    Set<String> listed = null;
    for (String line : LINE_BREAK.split(sdp, -1)) {
      if (line.startsWith("m=")) {
        String[] fields = line.split(" ");
        listed = new HashSet<>(List.of(fields).subList(Math.min(3, fields.length), fields.length));
      } else if (listed != null) {
        String pt = payloadTypeOf(line);
        if (pt != null && !listed.contains(pt)) {
          continue;
        }
      }
      out.add(line);
    }
    return String.join(eol, out);
  }

  /** The payload type an rtpmap, fmtp or rtcp-fb line describes (not the wildcard), or null. */
  private static String payloadTypeOf(String line) {
    int start;
    if (line.startsWith("a=rtpmap:")) {
      start = 9;
    } else if (line.startsWith("a=fmtp:")) {
      start = 7;
    } else if (line.startsWith("a=rtcp-fb:")) {
      start = 10;
    } else {
      return null;
    }
    int space = line.indexOf(' ', start);
    String pt = line.substring(start, space < 0 ? line.length() : space);
    return pt.equals("*") ? null : pt;
  }

  private static int rank(String name, List<String> order) {
    int rank = name == null ? -1 : order.indexOf(name);
    return rank < 0 ? order.size() : rank;
  }

  /** An offer's lines and, per video m-line, where its payload types are described. */
  private static final class Offer {
    final String eol;
    final List<String> lines;
    final List<Section> videoSections = new ArrayList<>();

    Offer(String sdp) {
      eol = sdp.contains("\r\n") ? "\r\n" : "\n";
      lines = new ArrayList<>(List.of(LINE_BREAK.split(sdp, -1)));
      Section video = null;
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.startsWith("m=")) {
          video = line.startsWith("m=video ") ? new Section(i) : null;
          if (video != null) {
            videoSections.add(video);
          }
          seen.clear();
        } else if (video != null && line.startsWith("a=rtpmap:")) {
          // "a=rtpmap:96 VP8/90000", read without a regex: a regex split here made the JIT's
          // compilation of this loop take ~20 MB of native memory at once (ChurnTest saw it).
          int space = line.indexOf(' ');
          int slash = line.indexOf('/', space + 1);
          if (space > 9 && slash > space + 1 && seen.add(line.substring(9, space))) {
            String pt = line.substring(9, space);
            video.names.put(pt, line.substring(space + 1, slash).toUpperCase(Locale.ROOT));
            video.rtpmapLines.put(pt, i);
          }
        } else if (video != null && line.startsWith("a=fmtp:")) {
          int space = line.indexOf(' ');
          if (space > 7) {
            video.fmtps.put(line.substring(7, space), line.substring(space + 1));
            video.fmtpLines.put(line.substring(7, space), i);
          }
        }
      }
    }

    @Override
    public String toString() {
      return String.join(eol, lines);
    }

    static final class Section {
      final int mLine;
      final Map<String, String> names = new HashMap<>();
      final Map<String, Integer> rtpmapLines = new HashMap<>();
      final Map<String, String> fmtps = new HashMap<>();
      final Map<String, Integer> fmtpLines = new HashMap<>();

      Section(int mLine) {
        this.mLine = mLine;
      }
    }
  }
}
