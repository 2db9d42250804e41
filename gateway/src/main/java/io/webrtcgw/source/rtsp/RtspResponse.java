package io.webrtcgw.source.rtsp;

import java.nio.charset.StandardCharsets;

/** One RTSP response: status, reason phrase, headers and body (empty when there is none). */
public record RtspResponse(int status, String reason, RtspHeaders headers, byte[] body) {

  public String header(String name) {
    return headers.get(name);
  }

  /** The CSeq the server answered, or -1 when it sent none or garbage. */
  public int cseq() {
    String value = headers.get("CSeq");
    if (value == null) {
      return -1;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** {@code 404 Not Found}, for error messages. */
  public String statusLine() {
    return status + (reason == null || reason.isBlank() ? "" : " " + reason.trim());
  }
}
