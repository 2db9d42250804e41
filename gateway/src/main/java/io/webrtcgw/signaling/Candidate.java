package io.webrtcgw.signaling;

/** An ICE candidate of either side, with the media section it belongs to. */
public record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {
  /** The end-of-candidates marker: an empty candidate without a media section. */
  public static final Candidate END = new Candidate("", null, null);

  /** Whether this is the end-of-candidates marker rather than a candidate. */
  public boolean isEnd() {
    return candidate == null || candidate.isEmpty();
  }
}
