package io.webrtcgw.source.mjpeg;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status line and headers of an HTTP/1.x response. Header names are matched without regard
 * to case; a header that appears more than once keeps every value in order.
 */
public record ResponseHead(String version, int status, String reason, Map<String, List<String>> headers) {
  /** Longest status or header line accepted. */
  static final int MAX_LINE = 8192;
  /** Most header bytes accepted in one response. */
  static final int MAX_HEAD = 65536;

  public ResponseHead {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = Collections.unmodifiableMap(copy);
  }

  /** The first value of {@code name}, trimmed, or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0).trim();
  }

  public List<String> headers(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** The media type of {@code Content-Type} in lower case, without parameters, or "" when absent. */
  public String mediaType() {
    return mediaType(header("Content-Type"));
  }

  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** The value of parameter {@code name} of a header value such as {@code Content-Type}, unquoted, or null. */
  static String parameter(String value, String name) {
    if (value == null) {
      return null;
    }
    String[] pieces = value.split(";");
    for (int i = 1; i < pieces.length; i++) {
      String piece = pieces[i].trim();
      int equals = piece.indexOf('=');
      if (equals > 0 && piece.substring(0, equals).trim().equalsIgnoreCase(name)) {
        String result = piece.substring(equals + 1).trim();
        if (result.length() >= 2 && result.startsWith("\"") && result.endsWith("\"")) {
          result = result.substring(1, result.length() - 1);
        }
        return result;
      }
    }
    return null;
  }

  /** Whether the connection may carry another request after this response's body. */
  public boolean keepAlive() {
    String connection = header("Connection");
    boolean close = connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
    boolean keep = connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive");
    return version.equals("HTTP/1.1") ? !close : keep;
  }

  /**
   * Reads a response head. Interim 1xx answers are skipped. Obsolete line folding is joined to the
   * header before it.
   *
   * @throws IOException when the stream ends first or the head is not HTTP
   */
  public static ResponseHead read(InputStream in) throws IOException {
    int[] budget = {MAX_HEAD};
    while (true) {
      String statusLine = readLine(in, budget);
      if (statusLine == null) {
        throw new EOFException("the connection closed before any answer");
      }
      if (statusLine.isEmpty()) {
        continue; // a stray CRLF after a previous body
      }
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3
          || !parts[1].chars().allMatch(Character::isDigit)) {
        throw new NotHttpException("the answer is not HTTP: '" + printable(statusLine, 60) + "'");
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      String lastName = null;
      while (true) {
        String line = readLine(in, budget);
        if (line == null) {
          throw new EOFException("the connection closed inside the answer's headers");
        }
        if (line.isEmpty()) {
          break;
        }
        if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && lastName != null) {
          List<String> values = headers.get(lastName);
          values.set(values.size() - 1, values.get(values.size() - 1) + " " + line.trim());
          continue;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue; // cameras send odd lines; a header without a name says nothing
        }
        lastName = line.substring(0, colon).trim();
        headers.computeIfAbsent(lastName, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
      }
      if (status >= 100 && status < 200) {
        continue;
      }
      return new ResponseHead(parts[0], status, parts.length > 2 ? parts[2].trim() : "", headers);
    }
  }

  /** A line without its CR LF (a bare LF also ends one), or null at the end of the stream before any byte. */
  static String readLine(InputStream in, int[] budget) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.length() == 0) {
          return null;
        }
        throw new EOFException("the connection closed inside a line");
      }
      if (--budget[0] < 0) {
        throw new NotHttpException("the answer's head is longer than " + MAX_HEAD + " bytes");
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      if (line.length() >= MAX_LINE) {
        throw new NotHttpException("a header line is longer than " + MAX_LINE + " bytes");
      }
      line.append((char) b);
    }
  }

  /** Text fit for a one-line message: control and non-ASCII bytes shown as dots, cut at {@code max}. */
  static String printable(String text, int max) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i);
      out.append(c >= ' ' && c < 0x7f ? c : '.');
    }
    return text.length() > max ? out + "..." : out.toString();
  }

  static String printable(byte[] bytes, int from, int to, int max) {
    return printable(new String(bytes, from, Math.max(0, Math.min(to, bytes.length) - from), StandardCharsets.ISO_8859_1), max);
  }

  /** What was received is not an HTTP answer, or breaks its rules beyond what cameras are forgiven. */
  public static final class NotHttpException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotHttpException(String message) {
      super(message);
    }
  }
}
