package io.webrtcgw.rtc;

import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Cheap checks of an offer's text before libwebrtc parses it. */
public final class OfferCheck {
  /** More m-lines than any viewer of one video stream needs; protects the parser and the answer. */
  public static final int MAX_MEDIA_SECTIONS = 16;
  /**
   * Media sections a wall's offer may have beyond its tile limit: transceivers a viewer keeps
   * inactive to reuse for its next tile, a data channel.
   */
  public static final int WALL_SPARE_SECTIONS = 4;

  private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");

  private OfferCheck() {}

  /** The {@code a=mid} of each media section, in order; "" for a section without one. */
  static List<String> mids(String sdp) {
    return sections(sdp, false);
  }

  /** The {@code a=mid} of each video section, in order; "" for a section without one. */
  static List<String> videoMids(String sdp) {
    return sections(sdp, true);
  }

  /**
   * The position of the first video section among the offer's audio and video sections (those
   * that get a transceiver; a data channel's does not), or -1 if it has none.
   */
  static int firstVideoRtpIndex(String sdp) {
    int index = 0;
    for (String line : LINE_BREAK.split(sdp)) {
      if (line.startsWith("m=video ")) {
        return index;
      }
      if (line.startsWith("m=audio ")) {
        index++;
      }
    }
    return -1;
  }

  private static List<String> sections(String sdp, boolean videoOnly) {
    List<String> mids = new ArrayList<>();
    boolean counted = false;
    for (String line : LINE_BREAK.split(sdp)) {
      if (line.startsWith("m=")) {
        counted = !videoOnly || line.startsWith("m=video ");
        if (counted) {
          mids.add("");
        }
      } else if (counted && line.startsWith("a=mid:")) {
        mids.set(mids.size() - 1, line.substring("a=mid:".length()).strip());
      }
    }
    return List.copyOf(mids);
  }

  public static void check(String sdp) throws SignalingException {
    check(sdp, MAX_MEDIA_SECTIONS);
  }

  /** As {@link #check(String)} with room for {@code maxSections} media sections (a wall's tiles). */
  public static void check(String sdp, int maxSections) throws SignalingException {
    if (sdp == null || sdp.isBlank()) {
      throw new SignalingException(ErrorCode.BAD_SDP, "the offer has no SDP");
    }
    if (!sdp.startsWith("v=0")) {
      throw new SignalingException(ErrorCode.BAD_SDP, "the offer's SDP must start with v=0");
    }
    int sections = 0;
    boolean video = false;
    for (String line : LINE_BREAK.split(sdp)) {
      if (line.startsWith("m=")) {
        sections++;
        video |= line.startsWith("m=video ");
      }
    }
    if (sections > maxSections) {
      throw new SignalingException(ErrorCode.BAD_SDP,
          "the offer has " + sections + " media sections; at most " + maxSections + " are accepted");
    }
    if (!video) {
      throw new SignalingException(ErrorCode.NO_VIDEO,
          "the offer has no video section; add a recvonly video transceiver");
    }
  }
}
