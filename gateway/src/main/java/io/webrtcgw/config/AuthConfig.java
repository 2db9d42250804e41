package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Who may watch and who may operate.
 *
 * @param tokens any of these opens every stream; empty means streams without tokens of their own are open
 * @param adminToken opens every stream and the operator endpoints ({@code /api/sessions},
 *     {@code /metrics}); null when not set
 */
public record AuthConfig(List<String> tokens, String adminToken) {
  public static final AuthConfig NONE = new AuthConfig(List.of(), null);

  @JsonCreator
  public static AuthConfig of(
      @JsonProperty("tokens") List<String> tokens, @JsonProperty("adminToken") String adminToken) {
    return new AuthConfig(tokens == null ? List.of() : tokens, adminToken);
  }

  public AuthConfig {
    tokens = checkTokens(tokens, "auth.tokens");
    if (adminToken != null) {
      checkToken(adminToken, "auth.adminToken");
    }
  }

  static List<String> checkTokens(List<String> tokens, String where) {
    for (String token : tokens) {
      checkToken(token, where);
    }
    return List.copyOf(tokens);
  }

  private static void checkToken(String token, String where) {
    // Tokens travel in URLs (?token=), so they must survive one unescaped.
    if (token == null || !token.matches("[A-Za-z0-9._~-]{8,256}")) {
      throw new IllegalArgumentException(where + ": a token must be 8-256 characters of A-Z a-z 0-9 . _ ~ -");
    }
  }

  /** Keeps tokens out of logs and error messages. */
  @Override
  public String toString() {
    return "AuthConfig[tokens=" + tokens.size() + ", adminToken=" + (adminToken == null ? "unset" : "set") + "]";
  }
}
