package io.webrtcgw.signaling.whep;

import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SDP work WHEP and WHIP need beyond libwebrtc: ICE credentials, candidates written into a
 * description, and {@code application/trickle-ice-sdpfrag} bodies (RFC 8840) read and written. The
 * gateway's WHEP server and its WHIP client ({@code publish/}) share it.
 */
public final class WhepSdp {
  private static final String CRLF = "\r\n";
  private static final String UFRAG = "a=ice-ufrag:";
  private static final String PWD = "a=ice-pwd:";
  private static final String CANDIDATE = "a=candidate:";
  private static final String END_OF_CANDIDATES = "a=end-of-candidates";
  private static final String MID = "a=mid:";
  /** foundation, component, transport, priority, address, port, "typ", type. */
  private static final int CANDIDATE_MIN_FIELDS = 8;

  private WhepSdp() {}

  /** An ICE username fragment and password; either may be null where a fragment leaves it out. */
  public record IceCredentials(String ufrag, String pwd) {}

  /** The first media section of a description: its m-line and its mid (null without a=mid). */
  public record Media(String mLine, String mid) {}

  /** A trickle-ice-sdpfrag body: the ICE credentials it names and the candidates it carries. */
  public record Fragment(IceCredentials credentials, List<Candidate> candidates, boolean endOfCandidates) {}

  /** The first a=ice-ufrag and a=ice-pwd of a description, wherever they appear. */
  public static IceCredentials credentials(String sdp) {
    String ufrag = null;
    String pwd = null;
    for (String line : lines(sdp)) {
      if (ufrag == null && line.startsWith(UFRAG)) {
        ufrag = line.substring(UFRAG.length()).trim();
      } else if (pwd == null && line.startsWith(PWD)) {
        pwd = line.substring(PWD.length()).trim();
      }
    }
    return new IceCredentials(ufrag, pwd);
  }

  public static Media firstMedia(String sdp) {
    String mLine = null;
    for (String line : lines(sdp)) {
      if (line.startsWith("m=")) {
        if (mLine != null) {
          break;
        }
        mLine = line;
      } else if (mLine != null && line.startsWith(MID)) {
        return new Media(mLine, line.substring(MID.length()).trim());
      }
    }
    return new Media(mLine, null);
  }

  /**
   * The same description with new ICE credentials and without candidates: the offer an ICE
   * restart would have sent. Its session version goes up by one, as a new offer's must.
   */
  public static String withCredentials(String sdp, IceCredentials credentials) {
    return rewrite(sdp, credentials, false);
  }

  /**
   * The same description with new ICE credentials, its candidates kept: the answer a WHIP client
   * applies after an ICE restart whose response named new credentials but no candidates (the
   * endpoint's addresses stay those of its first answer). Its session version goes up by one.
   */
  public static String withCredentialsKeepingCandidates(String sdp, IceCredentials credentials) {
    return rewrite(sdp, credentials, true);
  }

  private static String rewrite(String sdp, IceCredentials credentials, boolean keepCandidates) {
    StringBuilder out = new StringBuilder(sdp.length());
    for (String line : lines(sdp)) {
      if (line.startsWith(UFRAG)) {
        line = UFRAG + credentials.ufrag();
      } else if (line.startsWith(PWD)) {
        line = PWD + credentials.pwd();
      } else if (!keepCandidates && (line.startsWith(CANDIDATE) || line.equals(END_OF_CANDIDATES))) {
        continue;
      } else if (line.startsWith("o=")) {
        line = nextVersion(line);
      }
      out.append(line).append(CRLF);
    }
    return out.toString();
  }

  /**
   * The answer with the gateway's candidates written into the media sections they belong to,
   * each followed by a=end-of-candidates when gathering is {@code complete}.
   */
  public static String withCandidates(String answer, List<Candidate> candidates, boolean complete) {
    List<List<String>> sections = new ArrayList<>();
    List<String> current = new ArrayList<>();
    sections.add(current); // the session part
    for (String line : lines(answer)) {
      if (line.startsWith("m=")) {
        current = new ArrayList<>();
        sections.add(current);
      }
      current.add(line);
    }
    StringBuilder out = new StringBuilder(answer.length() + 128 * candidates.size());
    sections.get(0).forEach(line -> out.append(line).append(CRLF));
    for (int index = 0; index < sections.size() - 1; index++) {
      List<String> section = sections.get(index + 1);
      String mid = midOf(section);
      List<Candidate> here = new ArrayList<>();
      for (Candidate candidate : candidates) {
        if (belongsTo(candidate, mid, index)) {
          here.add(candidate);
        }
      }
      section.forEach(line -> out.append(line).append(CRLF));
      here.forEach(candidate -> out.append("a=").append(candidate.candidate()).append(CRLF));
      if (complete && (!here.isEmpty() || (candidates.isEmpty() && index == 0))) {
        out.append(END_OF_CANDIDATES).append(CRLF);
      }
    }
    return out.toString();
  }

  /** The gateway's side of an ICE restart as a trickle-ice-sdpfrag body. */
  public static String fragment(IceCredentials credentials, Media media, List<Candidate> candidates, boolean complete) {
    StringBuilder out = new StringBuilder();
    out.append(UFRAG).append(credentials.ufrag()).append(CRLF);
    out.append(PWD).append(credentials.pwd()).append(CRLF);
    if (media.mLine() != null) {
      out.append(media.mLine().replaceFirst("^(m=\\S+ )\\d+", "$19")).append(CRLF);
      if (media.mid() != null) {
        out.append(MID).append(media.mid()).append(CRLF);
      }
    }
    candidates.forEach(candidate -> out.append("a=").append(candidate.candidate()).append(CRLF));
    if (complete) {
      out.append(END_OF_CANDIDATES).append(CRLF);
    }
    return out.toString();
  }

  /**
   * Reads a trickle-ice-sdpfrag body. Candidates outside any media section, or in one without
   * a=mid, are given {@code defaultMid}: with BUNDLE every candidate belongs to the first section.
   *
   * @throws SignalingException {@code bad-sdp} for text that is not SDP lines, {@code bad-candidate}
   *     for a candidate line that is too short to be one
   */
  public static Fragment parseFragment(String text, String defaultMid) throws SignalingException {
    if (text == null || text.isBlank()) {
      throw new SignalingException(ErrorCode.BAD_SDP, "the fragment is empty");
    }
    String ufrag = null;
    String pwd = null;
    List<Candidate> candidates = new ArrayList<>();
    boolean end = false;
    int section = -1;
    String mid = null;
    List<String> pending = new ArrayList<>(); // candidates of the current section, until its a=mid is known
    int number = 0;
    for (String line : lines(text)) {
      number++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
        throw new SignalingException(ErrorCode.BAD_SDP,
            "line " + number + " of the fragment is not an SDP line: " + abbreviate(line));
      }
      if (line.startsWith("m=")) {
        flush(pending, mid == null ? defaultMid : mid, section, candidates);
        section++;
        mid = null;
      } else if (line.startsWith(MID)) {
        mid = line.substring(MID.length()).trim();
      } else if (line.startsWith(UFRAG)) {
        ufrag = ufrag == null ? line.substring(UFRAG.length()).trim() : ufrag;
      } else if (line.startsWith(PWD)) {
        pwd = pwd == null ? line.substring(PWD.length()).trim() : pwd;
      } else if (line.startsWith(CANDIDATE)) {
        String candidate = line.substring(2).trim();
        if (candidate.split("\\s+").length < CANDIDATE_MIN_FIELDS) {
          throw new SignalingException(ErrorCode.BAD_CANDIDATE,
              "line " + number + " is not a complete candidate: " + abbreviate(line));
        }
        pending.add(candidate);
      } else if (line.equals(END_OF_CANDIDATES)) {
        end = true;
      }
    }
    flush(pending, mid == null ? defaultMid : mid, section, candidates);
    if (ufrag == null && pwd == null && candidates.isEmpty() && !end) {
      throw new SignalingException(ErrorCode.BAD_SDP,
          "the fragment has no a=ice-ufrag, a=ice-pwd, a=candidate or a=end-of-candidates line");
    }
    return new Fragment(new IceCredentials(ufrag, pwd), List.copyOf(candidates), end);
  }

  /** The {@code ufrag} attribute libwebrtc writes into a candidate line, or null if it has none. */
  public static String candidateUfrag(String candidate) {
    String[] fields = candidate.trim().split("\\s+");
    for (int i = CANDIDATE_MIN_FIELDS; i + 1 < fields.length; i += 2) {
      if (fields[i].equals("ufrag")) {
        return fields[i + 1];
      }
    }
    return null;
  }

  private static void flush(List<String> pending, String mid, int section, List<Candidate> into) {
    for (String candidate : pending) {
      into.add(new Candidate(candidate, mid, Math.max(section, 0)));
    }
    pending.clear();
  }

  private static boolean belongsTo(Candidate candidate, String mid, int index) {
    if (candidate.sdpMid() != null && !candidate.sdpMid().isEmpty() && mid != null) {
      return candidate.sdpMid().equals(mid);
    }
    return Objects.equals(candidate.sdpMLineIndex(), index);
  }

  private static String midOf(List<String> section) {
    for (String line : section) {
      if (line.startsWith(MID)) {
        return line.substring(MID.length()).trim();
      }
    }
    return null;
  }

  private static String nextVersion(String originLine) {
    String[] fields = originLine.split(" ");
    if (fields.length >= 3 && fields[2].matches("\\d+")) {
      fields[2] = new BigInteger(fields[2]).add(BigInteger.ONE).toString();
      return String.join(" ", fields);
    }
    return originLine;
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\r?\n", -1)) {
      out.add(line);
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
