package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * Bounds that keep one viewer from hurting the others.
 *
 * @param maxViewers viewers across all streams
 * @param maxMessageBytes largest signaling message accepted; larger ones close the socket (1009)
 * @param offerTimeout a socket that sends no offer within this time is closed (4408)
 * @param disconnectGrace how long ICE may stay disconnected before the session ends
 * @param maxTilesPerSession streams one wall session may carry at once
 */
public record Limits(int maxViewers, int maxMessageBytes, Duration offerTimeout, Duration disconnectGrace,
    int maxTilesPerSession) {
  /** The most tiles a wall may be configured to carry: each is a media section of its offer and an encoder. */
  public static final int MAX_TILES_CEILING = 256;
  public static final Limits DEFAULT =
      new Limits(100, 64 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(5), 36);

  public Limits(int maxViewers, int maxMessageBytes, Duration offerTimeout, Duration disconnectGrace) {
    this(maxViewers, maxMessageBytes, offerTimeout, disconnectGrace, DEFAULT.maxTilesPerSession);
  }

  @JsonCreator
  public static Limits of(
      @JsonProperty("maxViewers") Integer maxViewers,
      @JsonProperty("maxMessageBytes") Integer maxMessageBytes,
      @JsonProperty("offerTimeoutSeconds") Double offerTimeoutSeconds,
      @JsonProperty("disconnectGraceSeconds") Double disconnectGraceSeconds,
      @JsonProperty("maxTilesPerSession") Integer maxTilesPerSession) {
    return new Limits(
        maxViewers == null ? DEFAULT.maxViewers : maxViewers,
        maxMessageBytes == null ? DEFAULT.maxMessageBytes : maxMessageBytes,
        offerTimeoutSeconds == null ? DEFAULT.offerTimeout : seconds(offerTimeoutSeconds),
        disconnectGraceSeconds == null ? DEFAULT.disconnectGrace : seconds(disconnectGraceSeconds),
        maxTilesPerSession == null ? DEFAULT.maxTilesPerSession : maxTilesPerSession);
  }

  public Limits {
    if (maxViewers < 1) {
      throw new IllegalArgumentException("maxViewers must be at least 1");
    }
    if (maxMessageBytes < 1024 || maxMessageBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be between 1024 and 16777216");
    }
    if (offerTimeout.isNegative() || offerTimeout.isZero()) {
      throw new IllegalArgumentException("offerTimeoutSeconds must be positive");
    }
    if (disconnectGrace.isNegative()) {
      throw new IllegalArgumentException("disconnectGraceSeconds must not be negative");
    }
    if (maxTilesPerSession < 1 || maxTilesPerSession > MAX_TILES_CEILING) {
      throw new IllegalArgumentException("maxTilesPerSession must be between 1 and " + MAX_TILES_CEILING);
    }
  }

  public Limits withMaxViewers(int value) {
    return new Limits(value, maxMessageBytes, offerTimeout, disconnectGrace, maxTilesPerSession);
  }

  public Limits withMaxTilesPerSession(int value) {
    return new Limits(maxViewers, maxMessageBytes, offerTimeout, disconnectGrace, value);
  }

  private static Duration seconds(double value) {
    return Duration.ofMillis(Math.round(value * 1000));
  }
}
