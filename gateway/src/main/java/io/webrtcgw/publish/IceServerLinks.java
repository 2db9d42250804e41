package io.webrtcgw.publish;

import io.webrtcgw.config.IceServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The STUN and TURN servers a WHIP endpoint names in its {@code Link} headers (RFC 9725 section
 * 4.6, RFC 8288 syntax): {@code <turn:host:3478>; rel="ice-server"; username="u"; credential="c"}.
 * Links of another relation or scheme, and malformed ones, are left out.
 */
final class IceServerLinks {
  private IceServerLinks() {}

  static List<IceServer> parse(List<String> headerValues) {
    List<IceServer> servers = new ArrayList<>();
    for (String value : headerValues) {
      Reader reader = new Reader(value);
      while (reader.skipToLink()) {
        String url = reader.target();
        Map<String, String> parameters = reader.parameters();
        if (url == null) {
          break; // unterminated: nothing after it can be trusted
        }
        String rel = parameters.getOrDefault("rel", "");
        if (!List.of(rel.toLowerCase(Locale.ROOT).split("\\s+")).contains("ice-server")) {
          continue;
        }
        try {
          servers.add(new IceServer(List.of(url), parameters.get("username"), parameters.get("credential")));
        } catch (IllegalArgumentException notStunOrTurn) {
          // another scheme: not an ICE server this gateway can use
        }
      }
    }
    return List.copyOf(servers);
  }

  /** Walks one header value: links separated by commas outside quotes and angle brackets. */
  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    boolean skipToLink() {
      while (at < text.length() && (text.charAt(at) == ',' || Character.isWhitespace(text.charAt(at)))) {
        at++;
      }
      return at < text.length() && text.charAt(at) == '<';
    }

    String target() {
      int end = text.indexOf('>', at);
      if (end < 0) {
        at = text.length();
        return null;
      }
      String url = text.substring(at + 1, end).trim();
      at = end + 1;
      return url;
    }

    /** The {@code ; name=value} pairs up to the next link; names lower-cased, first one wins. */
    Map<String, String> parameters() {
      Map<String, String> out = new LinkedHashMap<>();
      while (true) {
        skipSpace();
        if (at >= text.length() || text.charAt(at) == ',') {
          return out;
        }
        if (text.charAt(at) != ';') {
          skipToComma();
          return out;
        }
        at++;
        skipSpace();
        int nameStart = at;
        while (at < text.length() && "=;,".indexOf(text.charAt(at)) < 0 && !Character.isWhitespace(text.charAt(at))) {
          at++;
        }
        String name = text.substring(nameStart, at).toLowerCase(Locale.ROOT);
        skipSpace();
        String value = "";
        if (at < text.length() && text.charAt(at) == '=') {
          at++;
          skipSpace();
          value = at < text.length() && text.charAt(at) == '"' ? quoted() : token();
        }
        if (!name.isEmpty()) {
          out.putIfAbsent(name, value);
        }
      }
    }

    private String quoted() {
      StringBuilder out = new StringBuilder();
      at++; // the opening quote
      while (at < text.length()) {
        char c = text.charAt(at++);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\' && at < text.length()) {
          c = text.charAt(at++);
        }
        out.append(c);
      }
      return out.toString();
    }

    private String token() {
      int start = at;
      while (at < text.length() && text.charAt(at) != ';' && text.charAt(at) != ',') {
        at++;
      }
      return text.substring(start, at).trim();
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private void skipToComma() {
      while (at < text.length() && text.charAt(at) != ',') {
        at++;
      }
    }
  }
}
