package io.webrtcgw.rtc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Moves the gateway's preferred video codecs to the front of a viewer's offer.
 *
 * <p>The libwebrtc in webrtc-java 0.14 sends with the first codec of the <em>remote</em> description
 * that its encoders support; on the answering side that is the viewer's offer, so codec preferences
 * set on the gateway's own transceiver reorder the answer but do not change what is sent (and
 * {@code RTCRtpEncodingParameters.codec} is not exposed). Reordering the payload types of the
 * offer's video m-lines is the one lever left; every codec stays offered.
 */
final class OfferCodecOrder {
  /**
   * The gateway's video codecs, cheapest to encode per viewer first: libwebrtc encodes once per
   * viewer, and the benchmark (README, "Benchmark") measured OpenH264 below libvpx VP8 per viewer.
   */
  static final List<String> GATEWAY_ORDER = List.of("H264", "VP8");

  private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");

  private OfferCodecOrder() {}

  /**
   * {@code sdp} with each video m-line's payload types sorted by {@code order} (codec names, most
   * preferred first; unnamed codecs after, in the offer's order). H.264 in packetization mode 1
   * goes before mode 0, which forces small slices on the encoder.
   */
  static String prefer(String sdp, List<String> order) {
    String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
    String[] lines = LINE_BREAK.split(sdp, -1);
    List<Integer> videoLines = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    Map<String, String> fmtps = new HashMap<>();
    boolean inVideo = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("m=")) {
        inVideo = line.startsWith("m=video ");
        if (inVideo) {
          videoLines.add(i);
        }
      } else if (inVideo && line.startsWith("a=rtpmap:")) {
        // "a=rtpmap:96 VP8/90000", read without a regex: a regex split here made the JIT's
        // compilation of this loop take ~20 MB of native memory at once (ChurnTest saw it).
        int space = line.indexOf(' ');
        int slash = line.indexOf('/', space + 1);
        if (space > 9 && slash > space + 1) {
          names.put(videoLines.size() + ":" + line.substring(9, space),
              line.substring(space + 1, slash).toUpperCase(Locale.ROOT));
        }
      } else if (inVideo && line.startsWith("a=fmtp:")) {
        int space = line.indexOf(' ');
        if (space > 7) {
          fmtps.put(videoLines.size() + ":" + line.substring(7, space), line.substring(space + 1));
        }
      }
    }
    for (int section = 1; section <= videoLines.size(); section++) {
      int index = videoLines.get(section - 1);
      String[] fields = lines[index].split(" ");
      if (fields.length <= 4) {
        continue;
      }
      String prefix = section + ":";
      List<String> types = new ArrayList<>(List.of(fields).subList(3, fields.length));
      types.sort(Comparator.comparingInt((String pt) -> rank(names.get(prefix + pt), order))
          .thenComparing(pt -> String.valueOf(fmtps.get(prefix + pt)).contains("packetization-mode=0")));
      lines[index] = String.join(" ", List.of(fields).subList(0, 3)) + " " + String.join(" ", types);
    }
    return String.join(eol, lines);
  }

  private static int rank(String name, List<String> order) {
    int rank = name == null ? -1 : order.indexOf(name);
    return rank < 0 ? order.size() : rank;
  }
}
