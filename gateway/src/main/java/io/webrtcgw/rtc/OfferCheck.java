package io.webrtcgw.rtc;

import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.util.ArrayList;
import java.util.List;

/** Cheap checks of an offer's text before libwebrtc parses it. */
public final class OfferCheck {
  /** More m-lines than any viewer of one video stream needs; protects the parser and the answer. */
  public static final int MAX_MEDIA_SECTIONS = 16;

  private OfferCheck() {}

  /** The {@code a=mid} of each media section, in order; "" for a section without one. */
  static List<String> mids(String sdp) {
    List<String> mids = new ArrayList<>();
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        mids.add("");
      } else if (line.startsWith("a=mid:") && !mids.isEmpty()) {
        mids.set(mids.size() - 1, line.substring("a=mid:".length()).strip());
      }
    }
    return List.copyOf(mids);
  }

  public static void check(String sdp) throws SignalingException {
    if (sdp == null || sdp.isBlank()) {
      throw new SignalingException(ErrorCode.BAD_SDP, "the offer has no SDP");
    }
    if (!sdp.startsWith("v=0")) {
      throw new SignalingException(ErrorCode.BAD_SDP, "the offer's SDP must start with v=0");
    }
    int sections = 0;
    boolean video = false;
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        sections++;
        video |= line.startsWith("m=video ");
      }
    }
    if (sections > MAX_MEDIA_SECTIONS) {
      throw new SignalingException(ErrorCode.BAD_SDP,
          "the offer has " + sections + " media sections; at most " + MAX_MEDIA_SECTIONS + " are accepted");
    }
    if (!video) {
      throw new SignalingException(ErrorCode.NO_VIDEO,
          "the offer has no video section; add a recvonly video transceiver");
    }
  }
}
