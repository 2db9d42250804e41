package io.webrtcgw.rtc;

import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.ViewerPort;

/**
 * Announces the gateway's host candidates also at its public address, for a host behind a 1:1 NAT
 * (a cloud VM whose public IP is not on any interface). Each host candidate goes out twice: first
 * with the public address, then as it is, so viewers on the private network still connect directly.
 * The NAT maps the public address's ports to the same ports here, which is why only the address
 * changes.
 */
public final class PublicAddress {
  private final String publicIp;

  /** @param publicIp null to send candidates unchanged */
  public PublicAddress(String publicIp) {
    this.publicIp = publicIp;
  }

  /** A port that tells the viewer what {@code viewer} would, plus the public copies of host candidates. */
  public ViewerPort wrap(ViewerPort viewer) {
    if (publicIp == null) {
      return viewer;
    }
    return new ViewerPort() {
      @Override
      public void answer(String sdp) {
        viewer.answer(sdp);
      }

      @Override
      public void candidate(Candidate candidate) {
        String rewritten = rewrite(candidate.candidate());
        if (rewritten != null) {
          viewer.candidate(new Candidate(rewritten, candidate.sdpMid(), candidate.sdpMLineIndex()));
        }
        viewer.candidate(candidate);
      }

      @Override
      public void error(ErrorCode code, String message) {
        viewer.error(code, message);
      }

      @Override
      public void tileError(String mid, String stream, ErrorCode code, String message) {
        viewer.tileError(mid, stream, code, message);
      }

      @Override
      public void ended(EndReason reason) {
        viewer.ended(reason);
      }

      @Override
      public String peer() {
        return viewer.peer();
      }
    };
  }

  /**
   * The candidate line with its address replaced by the public one, or null when it is not a host
   * candidate or already carries the public address. The grammar (RFC 8839) is {@code candidate:
   * foundation component transport priority address port typ type ...}.
   */
  String rewrite(String line) {
    if (line == null) {
      return null;
    }
    String[] fields = line.split(" ");
    if (fields.length < 8 || !fields[6].equals("typ") || !fields[7].equals("host") || fields[4].equals(publicIp)
        || fields[4].endsWith(".local")) {
      return null;
    }
    // An IPv4 public address only stands in for IPv4 host addresses, and likewise for IPv6.
    if (fields[4].contains(":") != publicIp.contains(":")) {
      return null;
    }
    fields[4] = publicIp;
    return String.join(" ", fields);
  }
}
