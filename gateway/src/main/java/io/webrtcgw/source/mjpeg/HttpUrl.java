package io.webrtcgw.source.mjpeg;

import io.webrtcgw.config.SecretMask;
import io.webrtcgw.source.auth.Credentials;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An {@code http(s)://[user[:password]@]host[:port][/path][?query]} camera URL. Camera passwords
 * often hold characters that {@link java.net.URI} refuses unescaped, so the user info runs to the
 * last {@code @} before the path, and user and password are percent-decoded.
 *
 * @param username null when the URL has no user info
 * @param password null when the URL has no password
 * @param target the request target: path and query, at least {@code /}
 */
public record HttpUrl(boolean tls, String host, int port, String target, String username, String password) {

  public HttpUrl {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("no host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be from 1 to 65535, not " + port);
    }
    if (target == null || !target.startsWith("/")) {
      throw new IllegalArgumentException("the request target must start with '/'");
    }
  }

  /** @throws IllegalArgumentException naming what is wrong, without the password */
  public static HttpUrl parse(String url) {
    int schemeEnd = url.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' is not an http:// or https:// URL");
    }
    boolean tls = scheme.equals("https");
    String rest = url.substring(schemeEnd + 3);
    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    int pathStart = indexOfAny(rest, "/?");
    // A password may hold '/', '?' or '#' only escaped; it may hold '@' and ':' as they are.
    int at = rest.lastIndexOf('@', pathStart < 0 ? rest.length() - 1 : pathStart);
    String username = null;
    String password = null;
    String authority;
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
      rest = rest.substring(at + 1);
      pathStart = indexOfAny(rest, "/?");
    }
    authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
    String target = pathStart < 0 ? "/" : rest.substring(pathStart);
    if (target.startsWith("?")) {
      target = "/" + target;
    }
    if (target.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' has spaces or control characters in its path");
    }
    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' has an unclosed IPv6 address");
      }
      host = authority.substring(0, close + 1);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' has junk after its IPv6 address");
        }
        portText = authority.substring(close + 2);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '@' || c == '%' && !host.startsWith("["))) {
      throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' names no valid host");
    }
    int port = tls ? 443 : 80;
    if (portText != null && !portText.isEmpty()) {
      if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
        throw new IllegalArgumentException("'" + SecretMask.uri(url) + "' has a bad port '" + portText + "'");
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("'" + SecretMask.uri(url) + "': port must be from 1 to 65535");
      }
    }
    return new HttpUrl(tls, host.toLowerCase(Locale.ROOT), port, target, username, password);
  }

  /**
   * The URL a redirect's {@code Location} names: absolute, or relative to this one. A redirect to
   * another host or port carries no login.
   */
  public HttpUrl resolve(String location) {
    String trimmed = location.trim();
    HttpUrl next;
    if (trimmed.regionMatches(true, 0, "http://", 0, 7) || trimmed.regionMatches(true, 0, "https://", 0, 8)) {
      next = parse(trimmed);
    } else if (trimmed.startsWith("//")) {
      next = parse((tls ? "https:" : "http:") + trimmed);
    } else if (trimmed.startsWith("/")) {
      next = new HttpUrl(tls, host, port, trimmed, null, null);
    } else {
      String path = target;
      int query = path.indexOf('?');
      if (query >= 0) {
        path = path.substring(0, query);
      }
      String base = path.substring(0, path.lastIndexOf('/') + 1);
      next = new HttpUrl(tls, host, port, trimmed.startsWith("?") ? path + trimmed : base + trimmed, null, null);
    }
    if (next.host.equals(host) && next.port == port) {
      return next.username != null ? next : next.withLogin(username, password);
    }
    return next.withLogin(null, null);
  }

  private HttpUrl withLogin(String user, String pass) {
    return new HttpUrl(tls, host, port, target, user, pass);
  }

  /** The login to answer a challenge with: the URL's own, else the configured one, else null. */
  public Credentials credentials(String configuredUser, String configuredPassword) {
    if (username != null && !username.isEmpty()) {
      return new Credentials(username, password);
    }
    if (configuredUser != null) {
      return new Credentials(configuredUser, configuredPassword);
    }
    return null;
  }

  /** The value of the {@code Host} header: the port only when it is not the scheme's default. */
  public String hostHeader() {
    return port == (tls ? 443 : 80) ? host : host + ":" + port;
  }

  /** Host and port, for messages and sockets. */
  public String address() {
    return host + ":" + port;
  }

  /** The host name to connect to: IPv6 literals without their brackets. */
  public String socketHost() {
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /** The URL as it may be shown to people: without its password or secret query values. */
  public String masked() {
    StringBuilder out = new StringBuilder(tls ? "https://" : "http://");
    if (username != null) {
      out.append(username);
      if (password != null) {
        out.append(":***");
      }
      out.append('@');
    }
    return SecretMask.uri(out.append(hostHeader()).append(target).toString());
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return masked();
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** Percent-decodes a login; a '%' that starts no escape is kept as it is, as cameras' users type it. */
  private static String decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()
          && Character.digit(text.charAt(i + 1), 16) >= 0 && Character.digit(text.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
        i += 3;
      } else {
        int codePoint = text.codePointAt(i);
        byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        i += Character.charCount(codePoint);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
