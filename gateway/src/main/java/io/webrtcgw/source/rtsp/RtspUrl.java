package io.webrtcgw.source.rtsp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An {@code rtsp://[user:password@]host[:port]/path[?query]} URL, parsed leniently: camera
 * passwords hold {@code @}, {@code :} and other characters unescaped, so the login runs to the last
 * {@code @} before the first {@code /} that follows it; a {@code /} in a password must be written
 * {@code %2F}. User and password are percent-decoded; the path and query are kept as written,
 * because cameras compare them byte for byte. {@link #toString} never shows the password.
 *
 * @param authority {@code host[:port]} as written (IPv6 literals keep their brackets)
 * @param path the path and query as written, starting with {@code /}
 * @param username null without a login
 * @param password null without a login
 */
public record RtspUrl(String host, int port, String authority, String path, String username, String password) {
  public static final int DEFAULT_PORT = 554;

  /** Parses {@code text}; the exception's message names the problem and never the password. */
  public static RtspUrl parse(String text) {
    if (text == null || !text.regionMatches(true, 0, "rtsp://", 0, 7)) {
      throw new IllegalArgumentException("an RTSP URL starts with rtsp://");
    }
    String rest = text.substring(7);
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c <= ' ' || c == 0x7F) {
        throw new IllegalArgumentException("RTSP URL holds a space or control character; write a space as %20");
      }
    }
    int slash = rest.indexOf('/');
    int at = rest.lastIndexOf('@', (slash < 0 ? rest.length() : slash) - 1);
    String userinfo = at < 0 ? null : rest.substring(0, at);
    String afterLogin = at < 0 ? rest : rest.substring(at + 1);
    int pathStart = firstOf(afterLogin, '/', '?');
    String authority = pathStart < 0 ? afterLogin : afterLogin.substring(0, pathStart);
    String path = pathStart < 0 ? "/" : afterLogin.substring(pathStart);
    if (path.startsWith("?")) {
      path = "/" + path;
    }
    int hash = path.indexOf('#');
    if (hash >= 0) {
      path = path.substring(0, hash);
    }
    String host;
    int port = DEFAULT_PORT;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("RTSP URL has an unclosed IPv6 address");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new IllegalArgumentException("RTSP URL has something other than a port after its IPv6 address");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("RTSP URL has more than one ':' in its host: write an IPv6 address in"
            + " brackets (rtsp://[::1]:554/), and a '/' in a password as %2F");
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("RTSP URL names no host (rtsp://HOST[:PORT]/PATH)");
    }
    if (!host.matches("[A-Za-z0-9._~%:-]+")) {
      throw new IllegalArgumentException("RTSP URL has an invalid host name; a '/' in a password must be written %2F");
    }
    if (portText != null && !portText.isEmpty()) {
      if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
        // The port is not echoed: when a password holds a raw '/', what looks like a port is part of it.
        throw new IllegalArgumentException(
            "RTSP URL has an invalid port (1-65535 expected); a '/' in a password must be written %2F");
      }
      port = Integer.parseInt(portText);
    }
    if (portText != null && portText.isEmpty()) {
      authority = authority.substring(0, authority.length() - 1);
    }
    String username = null;
    String password = null;
    if (userinfo != null) {
      int colon = userinfo.indexOf(':');
      username = decode(colon < 0 ? userinfo : userinfo.substring(0, colon));
      password = colon < 0 ? null : decode(userinfo.substring(colon + 1));
      if (username.isEmpty() && password == null) {
        username = null;
      }
    }
    return new RtspUrl(host.toLowerCase(Locale.ROOT), port, authority, path, username, password);
  }

  /** This URL with another login (null for none). */
  public RtspUrl withLogin(String user, String pass) {
    return new RtspUrl(host, port, authority, path, user, pass);
  }

  /** The URL as sent in requests: without the login. */
  public String request() {
    return "rtsp://" + authority + path;
  }

  /** The URL as shown to people: the user name stays, the password is masked. */
  public String masked() {
    if (username == null) {
      return request();
    }
    return "rtsp://" + username + (password == null ? "" : ":***") + "@" + authority + path;
  }

  /**
   * Resolves a URL a server named ({@code Content-Base}, {@code a=control}, {@code Location}): an
   * absolute {@code rtsp://} URL as it is (keeping this login when it names none), a path from
   * the root on this host, and anything else appended to this URL with a {@code /} between, as
   * cameras expect even when this URL ends in a query ({@code ...?channel=1&subtype=0/trackID=0}).
   */
  public RtspUrl resolve(String reference) {
    if (reference == null || reference.isBlank() || reference.equals("*")) {
      return this;
    }
    String ref = reference.trim();
    if (ref.regionMatches(true, 0, "rtsp://", 0, 7)) {
      RtspUrl absolute = parse(ref);
      return absolute.username == null ? absolute.withLogin(username, password) : absolute;
    }
    if (ref.startsWith("/")) {
      return new RtspUrl(host, port, authority, ref, username, password);
    }
    String base = path.endsWith("/") ? path : path + "/";
    return new RtspUrl(host, port, authority, base + ref, username, password);
  }

  @Override
  public String toString() {
    return masked();
  }

  private static int firstOf(String text, char a, char b) {
    int i = text.indexOf(a);
    int j = text.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  /** Percent-decodes as UTF-8; a '%' not followed by two hex digits stays as it is. */
  private static String decode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      int c = text.codePointAt(i);
      if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
        out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
        i += 3;
      } else {
        out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
