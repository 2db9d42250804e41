package io.webrtcgw.source.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers HTTP and RTSP authentication challenges (RFC 7617 Basic, RFC 7616 / 2617 Digest with
 * MD5, MD5-sess or SHA-256, with or without {@code qop=auth}) for one connection's requests.
 * Not thread-safe: one per connection.
 */
public final class Authenticator {
  /** Why a 401 cannot be answered. */
  public static final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
      super(message);
    }
  }

  private final Credentials credentials;
  private final Supplier<String> cnonces;
  private Challenge challenge;
  private int nonceCount;
  private String cnonce;

  /** @param credentials null when the source has no login: every challenge then fails */
  public Authenticator(Credentials credentials) {
    this(credentials, randomCnonces());
  }

  /** @param cnonces the client nonces to use, one per challenge (fixed ones in tests) */
  Authenticator(Credentials credentials, Supplier<String> cnonces) {
    this.credentials = credentials;
    this.cnonces = cnonces;
  }

  private static Supplier<String> randomCnonces() {
    SecureRandom random = new SecureRandom();
    return () -> {
      byte[] bytes = new byte[8];
      random.nextBytes(bytes);
      return HexFormat.of().formatHex(bytes);
    };
  }

  /** Whether a challenge has been accepted, so that requests carry an {@code Authorization}. */
  public boolean active() {
    return challenge != null;
  }

  /**
   * Takes the challenges of a 401 answer. Returns true when the request should be sent again with
   * the new {@link #header}: the first challenge, or a Digest nonce the server reports {@code
   * stale}. Returns false when the credentials were already tried against this server and were
   * refused.
   *
   * @throws AuthenticationException when there is no login, or no challenge this class can answer
   */
  public boolean challenged(List<String> wwwAuthenticate) throws AuthenticationException {
    if (credentials == null) {
      throw new AuthenticationException("authentication failed: the camera asks for a login and none is configured");
    }
    Optional<Challenge> best = choose(Challenge.parse(wwwAuthenticate));
    if (best.isEmpty()) {
      throw new AuthenticationException("authentication failed: the camera asks for "
          + (wwwAuthenticate.isEmpty() ? "a login without saying how" : "an unsupported scheme: "
              + String.join("; ", wwwAuthenticate.stream().map(Authenticator::schemeOf).toList())));
    }
    Challenge next = best.get();
    boolean stale = "true".equalsIgnoreCase(next.param("stale"));
    boolean firstTry = challenge == null;
    challenge = next;
    nonceCount = 0;
    cnonce = null;
    return firstTry || stale;
  }

  /** The {@code Authorization} value for a request, or null before any challenge. */
  public String header(String method, String uri) {
    if (challenge == null) {
      return null;
    }
    if (challenge.scheme().equals("basic")) {
      String pair = credentials.username() + ":" + credentials.password();
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
    return digest(method, uri);
  }

  private String digest(String method, String uri) {
    String realm = challenge.param("realm");
    String nonce = challenge.param("nonce");
    String algorithm = Optional.ofNullable(challenge.param("algorithm")).orElse("MD5");
    String hash = algorithm.toUpperCase(Locale.ROOT).startsWith("SHA-256") ? "SHA-256" : "MD5";
    boolean session = algorithm.toLowerCase(Locale.ROOT).endsWith("-sess");
    boolean qop = offersAuthQop(challenge);
    String nc = null;
    if ((qop || session) && cnonce == null) {
      cnonce = cnonces.get();
    }
    String ha1 = hex(hash, credentials.username() + ":" + realm + ":" + credentials.password());
    if (session) {
      ha1 = hex(hash, ha1 + ":" + nonce + ":" + cnonce);
    }
    String ha2 = hex(hash, method + ":" + uri);
    String response;
    if (qop) {
      nc = String.format("%08x", ++nonceCount);
      response = hex(hash, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    } else {
      response = hex(hash, ha1 + ":" + nonce + ":" + ha2);
    }
    StringBuilder out = new StringBuilder("Digest ");
    out.append("username=\"").append(quote(credentials.username())).append('"');
    out.append(", realm=\"").append(quote(realm)).append('"');
    out.append(", nonce=\"").append(quote(nonce)).append('"');
    out.append(", uri=\"").append(quote(uri)).append('"');
    out.append(", response=\"").append(response).append('"');
    if (challenge.param("algorithm") != null) {
      out.append(", algorithm=").append(algorithm);
    }
    if (challenge.param("opaque") != null) {
      out.append(", opaque=\"").append(quote(challenge.param("opaque"))).append('"');
    }
    if (qop) {
      out.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
    }
    return out.toString();
  }

  /** Digest before Basic (it never sends the password); among Digests, SHA-256 before MD5. */
  private static Optional<Challenge> choose(List<Challenge> challenges) {
    Challenge best = null;
    int bestRank = 0;
    for (Challenge c : challenges) {
      int rank = rank(c);
      if (rank > bestRank) {
        best = c;
        bestRank = rank;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int rank(Challenge c) {
    if (c.scheme().equals("basic")) {
      return 1;
    }
    if (!c.scheme().equals("digest") || c.param("nonce") == null || c.param("realm") == null) {
      return 0;
    }
    String qop = c.param("qop");
    if (qop != null && !offersAuthQop(c)) {
      return 0; // auth-int only: would need the body's hash, which no camera asks for
    }
    String algorithm = Optional.ofNullable(c.param("algorithm")).orElse("MD5").toUpperCase(Locale.ROOT);
    return switch (algorithm) {
      case "SHA-256", "SHA-256-SESS" -> 4;
      case "MD5", "MD5-SESS" -> 3;
      default -> 0;
    };
  }

  private static boolean offersAuthQop(Challenge c) {
    String qop = c.param("qop");
    if (qop == null) {
      return false;
    }
    for (String option : qop.split(",")) {
      if (option.trim().equalsIgnoreCase("auth")) {
        return true;
      }
    }
    return false;
  }

  private static String schemeOf(String header) {
    String trimmed = header.trim();
    int space = trimmed.indexOf(' ');
    return space < 0 ? trimmed : trimmed.substring(0, space);
  }

  private static String quote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String hex(String algorithm, String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance(algorithm);
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
  }
}
