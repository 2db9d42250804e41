package io.webrtcgw.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides camera passwords and tokens in text meant for people: logs, {@code /api/streams}, error
 * messages. A URI keeps its user name and loses its password ({@code rtsp://user:***@host/path});
 * query parameters that carry secrets (as snapshot URLs of many cameras do) lose their values.
 */
public final class SecretMask {
  private static final String MASK = "***";
  /** scheme://user:password@ — the password runs to the last '@' before the path. */
  private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s:]*)(:[^/\\s]*)?@");
  private static final Pattern QUERY_PARAM = Pattern.compile("([?&;])([^=&#\\s]+)=([^&#\\s]*)");
  private static final Set<String> SECRET_PARAMS = Set.of(
      "password", "passwd", "pass", "pwd", "psw", "token", "access_token", "auth", "key", "apikey", "api_key",
      "secret", "sig", "signature", "credential", "credentials");

  private SecretMask() {}

  /** {@code uri} with the password of its user info and the values of secret query parameters masked. */
  public static String uri(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher userinfo = USERINFO.matcher(uri);
    StringBuilder out = new StringBuilder();
    while (userinfo.find()) {
      String replacement = userinfo.group(1) + userinfo.group(2) + (userinfo.group(3) == null ? "" : ":" + MASK) + "@";
      userinfo.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    userinfo.appendTail(out);
    Matcher params = QUERY_PARAM.matcher(out.toString());
    StringBuilder masked = new StringBuilder();
    while (params.find()) {
      boolean secret = SECRET_PARAMS.contains(params.group(2).toLowerCase(Locale.ROOT));
      params.appendReplacement(masked, Matcher.quoteReplacement(
          secret ? params.group(1) + params.group(2) + "=" + MASK : params.group()));
    }
    params.appendTail(masked);
    return masked.toString();
  }

  /**
   * {@code text} with every URI in it masked as {@link #uri} does, and every one of {@code secrets}
   * (e.g. a configured password that a server echoed back) replaced, whatever surrounds it.
   */
  public static String text(String text, String... secrets) {
    if (text == null) {
      return null;
    }
    String out = uri(text);
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 3) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }
}
