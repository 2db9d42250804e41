package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One named stream: where its pictures come from and how many may watch.
 *
 * @param maxViewers 0 means only the gateway-wide limit applies
 * @param tokens any of these (or a gateway-wide token) opens this stream; empty: only the
 *     gateway-wide tokens apply
 * @param loop a file source starts over at its end (default); false plays it once and ends the stream
 */
public record StreamConfig(
    String name, String source, boolean alwaysOn, int maxViewers, List<String> tokens, boolean loop) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @JsonCreator
  public StreamConfig(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "source", required = true) String source,
      @JsonProperty("alwaysOn") Boolean alwaysOn,
      @JsonProperty("maxViewers") Integer maxViewers,
      @JsonProperty("tokens") List<String> tokens,
      @JsonProperty("loop") Boolean loop) {
    this(name, source, alwaysOn != null && alwaysOn, maxViewers == null ? 0 : maxViewers,
        tokens == null ? List.of() : tokens, loop == null || loop);
  }

  public StreamConfig(String name, String source, boolean alwaysOn, int maxViewers, List<String> tokens) {
    this(name, source, alwaysOn, maxViewers, tokens, true);
  }

  public StreamConfig(String name, String source, boolean alwaysOn, int maxViewers) {
    this(name, source, alwaysOn, maxViewers, List.of(), true);
  }

  public StreamConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "stream name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit): " + name);
    }
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("stream '" + name + "' has no source");
    }
    if (maxViewers < 0) {
      throw new IllegalArgumentException("maxViewers of stream '" + name + "' must not be negative");
    }
    tokens = AuthConfig.checkTokens(tokens == null ? List.of() : tokens, "tokens of stream '" + name + "'");
  }

  public static StreamConfig of(String name, String source) {
    return new StreamConfig(name, source, false, 0);
  }

  /** Keeps tokens out of logs and error messages. */
  @Override
  public String toString() {
    return "StreamConfig[name=" + name + ", source=" + source + ", alwaysOn=" + alwaysOn
        + ", maxViewers=" + maxViewers + ", tokens=" + tokens.size() + ", loop=" + loop + "]";
  }
}
