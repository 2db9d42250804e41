package io.webrtcgw.source.rtsp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What real servers sent, captured once by hand into the test resources ({@code rtsp/capture/}):
 * RTP packets as hex lines, and RTSP conversations with each message after a {@code >>>} (ours)
 * or {@code <<<} (the server's) mark, saved with bare line feeds.
 */
final class Captures {
  private Captures() {}

  static String text(String name) {
    try (InputStream in = Captures.class.getClassLoader().getResourceAsStream("rtsp/capture/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource rtsp/capture/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The RTP packets of a {@code .hex} capture, in the order they arrived. */
  static List<byte[]> packets(String name) {
    List<byte[]> packets = new ArrayList<>();
    for (String line : text(name).split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        packets.add(HexFormat.of().parseHex(line.trim()));
      }
    }
    return packets;
  }

  /** The server's messages of a conversation capture, each with CR LF line ends as sent. */
  static List<String> serverMessages(String name) {
    List<String> out = new ArrayList<>();
    for (String part : text(name).split("(?m)^(?=>>> |<<< )")) {
      if (part.startsWith("<<< ")) {
        // Saved with bare line feeds; the server sent CR LF everywhere, its SDP bodies included.
        out.add(part.substring(4).replace("\n", "\r\n"));
      }
    }
    return out;
  }

  static RtpPacket parse(byte[] bytes, long arrivalNanos) {
    return RtpPacket.parse(bytes, 0, bytes.length, arrivalNanos);
  }
}
