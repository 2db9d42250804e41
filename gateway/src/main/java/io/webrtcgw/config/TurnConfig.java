package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;

/**
 * A TURN server using coturn's REST shared-secret scheme ({@code use-auth-secret}): the gateway
 * mints short-lived credentials per session; the secret never leaves the gateway.
 */
public record TurnConfig(List<String> urls, String secret, Duration ttl) {
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);

  @JsonCreator
  public static TurnConfig of(
      @JsonProperty(value = "urls", required = true) List<String> urls,
      @JsonProperty(value = "secret", required = true) String secret,
      @JsonProperty("ttlSeconds") Long ttlSeconds) {
    return new TurnConfig(urls, secret, ttlSeconds == null ? DEFAULT_TTL : Duration.ofSeconds(ttlSeconds));
  }

  public TurnConfig {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("turn.urls needs at least one turn: or turns: URL");
    }
    for (String url : urls) {
      if (url == null || !url.matches("^turns?:.+")) {
        throw new IllegalArgumentException("turn.urls must start with turn: or turns:: " + url);
      }
    }
    urls = List.copyOf(urls);
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("turn.secret must not be empty");
    }
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("turn.ttlSeconds must be between 60 and 604800");
    }
  }

  /** Keeps the secret out of logs and error messages. */
  @Override
  public String toString() {
    return "TurnConfig[urls=" + urls + ", ttl=" + ttl + "]";
  }
}
