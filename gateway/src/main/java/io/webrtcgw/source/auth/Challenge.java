package io.webrtcgw.source.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme such as {@code Basic} or
 * {@code Digest} and its parameters, names in lower case.
 */
public record Challenge(String scheme, Map<String, String> params) {
  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  public String param(String name) {
    return params.get(name);
  }

  /**
   * The challenges of one or more {@code WWW-Authenticate} header values. A value may hold several
   * challenges separated by commas; a malformed one ends the parse of its value, keeping those
   * before it.
   */
  public static List<Challenge> parse(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String value : headerValues) {
      parseValue(value, out);
    }
    return out;
  }

  private static void parseValue(String value, List<Challenge> out) {
    Tokens t = new Tokens(value);
    while (true) {
      t.skip(" \t,");
      String scheme = t.token();
      if (scheme.isEmpty()) {
        return; // the end, or a character no challenge starts with
      }
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        // Commas separate both parameters and challenges: a name without '=' starts the next one.
        t.skip(" \t,");
        int mark = t.pos;
        String name = t.token();
        t.skip(" \t");
        if (name.isEmpty() || !t.take('=')) {
          t.pos = mark;
          break;
        }
        t.skip(" \t");
        String param = t.peek() == '"' ? t.quoted() : t.token();
        if (param == null) {
          out.add(new Challenge(scheme, params));
          return;
        }
        params.put(name.toLowerCase(Locale.ROOT), param);
      }
      out.add(new Challenge(scheme, params));
    }
  }

  /** A cursor over one header value. */
  private static final class Tokens {
    final String text;
    int pos;

    Tokens(String text) {
      this.text = text == null ? "" : text;
    }

    char peek() {
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    void skip(String chars) {
      while (pos < text.length() && chars.indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    boolean take(char c) {
      if (peek() == c) {
        pos++;
        return true;
      }
      return false;
    }

    /** RFC 7230 token characters (plus '/' and ':' that some cameras put in bare values). */
    String token() {
      int start = pos;
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c <= ' ' || c == ',' || c == '=' || c == '"' || c == ';' || c > '~') {
          break;
        }
        pos++;
      }
      return text.substring(start, pos);
    }

    /** A quoted string without its quotes, or null when it never ends. */
    String quoted() {
      StringBuilder out = new StringBuilder();
      pos++;
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '\\' && pos < text.length()) {
          out.append(text.charAt(pos++));
        } else if (c == '"') {
          return out.toString();
        } else {
          out.append(c);
        }
      }
      return null;
    }
  }
}
