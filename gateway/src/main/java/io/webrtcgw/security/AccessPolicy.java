package io.webrtcgw.security;

import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.StreamConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides who may watch which stream and who may operate the gateway, from the tokens in the
 * config. Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, and every
 * candidate is compared, so neither the time taken nor an early exit tells how close a guess was.
 */
public final class AccessPolicy {

  /** The outcome of a check; the edge turns it into a status or close code. */
  public enum Verdict {
    ALLOWED,
    /** A token is needed and none was given. */
    MISSING,
    /** The token opens nothing. */
    WRONG,
    /** The token is valid, but for another stream. */
    FORBIDDEN;

    public boolean allowed() {
      return this == ALLOWED;
    }
  }

  private final List<byte[]> globalTokens;
  private final byte[] adminToken;
  private final Map<String, List<byte[]>> streamTokens = new HashMap<>();
  private final List<byte[]> allStreamTokens = new ArrayList<>();

  public AccessPolicy(AuthConfig auth, List<StreamConfig> streams) {
    this.globalTokens = digests(auth.tokens());
    this.adminToken = auth.adminToken() == null ? null : digest(auth.adminToken());
    for (StreamConfig stream : streams) {
      List<byte[]> tokens = digests(stream.tokens());
      streamTokens.put(stream.name(), tokens);
      allStreamTokens.addAll(tokens);
    }
  }

  /** An open gateway: every stream open, no admin token. */
  public static AccessPolicy open() {
    return new AccessPolicy(AuthConfig.NONE, List.of());
  }

  /** Whether {@code stream} can be watched without a token. Unknown names follow the gateway-wide rule. */
  public boolean isOpen(String stream) {
    return globalTokens.isEmpty() && streamTokens.getOrDefault(stream, List.of()).isEmpty();
  }

  /** May the holder of {@code token} (null when none was given) watch {@code stream}? */
  public Verdict stream(String stream, String token) {
    if (isOpen(stream)) {
      return Verdict.ALLOWED;
    }
    if (token == null || token.isEmpty()) {
      return Verdict.MISSING;
    }
    byte[] presented = digest(token);
    boolean match = matchesAny(presented, globalTokens)
        | matchesAny(presented, streamTokens.getOrDefault(stream, List.of()))
        | (adminToken != null && MessageDigest.isEqual(presented, adminToken));
    if (match) {
      return Verdict.ALLOWED;
    }
    return matchesAny(presented, allStreamTokens) ? Verdict.FORBIDDEN : Verdict.WRONG;
  }

  public boolean hasAdminToken() {
    return adminToken != null;
  }

  /** Whether {@code token} is the admin token; false when none is configured. */
  public boolean isAdmin(String token) {
    return adminToken != null && token != null && MessageDigest.isEqual(digest(token), adminToken);
  }

  private static boolean matchesAny(byte[] presented, List<byte[]> tokens) {
    boolean match = false;
    for (byte[] token : tokens) {
      match |= MessageDigest.isEqual(presented, token);
    }
    return match;
  }

  private static List<byte[]> digests(List<String> tokens) {
    return tokens.stream().map(AccessPolicy::digest).toList();
  }

  private static byte[] digest(String token) {
    try {
      // Equal-length digests make isEqual's time independent of the token's length too.
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
