package io.webrtcgw.source.rtsp;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One RTSP request as the client sends it; requests to a camera carry no body. */
public record RtspRequest(String method, String uri, RtspHeaders headers) {

  public static RtspRequest of(String method, RtspUrl url, String... headers) {
    return new RtspRequest(method, url.request(), RtspHeaders.of(headers));
  }

  public RtspRequest with(String name, String value) {
    return new RtspRequest(method, uri, headers.with(name, value));
  }

  /** The request's bytes on the wire. Header values cannot hold line breaks: they are replaced. */
  public byte[] encode() {
    StringBuilder out = new StringBuilder(256);
    out.append(method).append(' ').append(uri).append(" RTSP/1.0\r\n");
    for (Map.Entry<String, String> line : headers.lines()) {
      out.append(line.getKey()).append(": ").append(line.getValue().replace('\r', ' ').replace('\n', ' '))
          .append("\r\n");
    }
    out.append("\r\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
