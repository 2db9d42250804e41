package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One named stream: where its pictures come from, how the source is read, and who may watch.
 *
 * @param maxViewers 0 means only the gateway-wide limit applies
 * @param tokens any of these (or a gateway-wide token) opens this stream; empty: only the
 *     gateway-wide tokens apply
 * @param options how the source is read (looping, camera transport and login, stall timeout)
 * @param publish WHIP targets the stream is published to; each keeps the source running
 */
public record StreamConfig(
    String name, String source, boolean alwaysOn, int maxViewers, List<String> tokens, SourceOptions options,
    List<PublishConfig> publish) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @JsonCreator
  public static StreamConfig fromJson(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "source", required = true) String source,
      @JsonProperty("alwaysOn") Boolean alwaysOn,
      @JsonProperty("maxViewers") Integer maxViewers,
      @JsonProperty("tokens") List<String> tokens,
      @JsonProperty("loop") Boolean loop,
      @JsonProperty("transport") String transport,
      @JsonProperty("username") String username,
      @JsonProperty("password") String password,
      @JsonProperty("stallTimeoutSeconds") Double stallTimeoutSeconds,
      @JsonProperty("fps") Double fps,
      @JsonProperty("publish") List<PublishConfig> publish) {
    SourceOptions options;
    try {
      options = SourceOptions.of(loop, transport, username, password, stallTimeoutSeconds, fps);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stream '" + name + "': " + e.getMessage(), e);
    }
    return new StreamConfig(name, source, alwaysOn != null && alwaysOn, maxViewers == null ? 0 : maxViewers,
        tokens == null ? List.of() : tokens, options, publish == null ? List.of() : publish);
  }

  public StreamConfig(
      String name, String source, boolean alwaysOn, int maxViewers, List<String> tokens, SourceOptions options) {
    this(name, source, alwaysOn, maxViewers, tokens, options, List.of());
  }

  public StreamConfig(String name, String source, boolean alwaysOn, int maxViewers, List<String> tokens) {
    this(name, source, alwaysOn, maxViewers, tokens, SourceOptions.DEFAULT);
  }

  public StreamConfig(String name, String source, boolean alwaysOn, int maxViewers) {
    this(name, source, alwaysOn, maxViewers, List.of(), SourceOptions.DEFAULT);
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
    if (options == null) {
      options = SourceOptions.DEFAULT;
    }
    publish = List.copyOf(publish == null ? List.of() : publish);
    Set<String> targets = new HashSet<>();
    for (PublishConfig target : publish) {
      if (!targets.add(target.name())) {
        throw new IllegalArgumentException("stream '" + name + "' publishes to '" + target.name()
            + "' twice: give each target of the same host a name of its own");
      }
    }
  }

  public static StreamConfig of(String name, String source) {
    return new StreamConfig(name, source, false, 0);
  }

  /** Whether a file source starts over at its end. */
  public boolean loop() {
    return options.loop();
  }

  public StreamConfig withOptions(SourceOptions value) {
    return new StreamConfig(name, source, alwaysOn, maxViewers, tokens, value, publish);
  }

  public StreamConfig withAlwaysOn(boolean value) {
    return new StreamConfig(name, source, value, maxViewers, tokens, options, publish);
  }

  public StreamConfig withPublish(List<PublishConfig> value) {
    return new StreamConfig(name, source, alwaysOn, maxViewers, tokens, options, value);
  }

  /** The source URI as it may be shown to people: without its password or secret parameters. */
  public String maskedSource() {
    return SecretMask.uri(source);
  }

  /** Keeps tokens and camera passwords out of logs and error messages. */
  @Override
  public String toString() {
    return "StreamConfig[name=" + name + ", source=" + maskedSource() + ", alwaysOn=" + alwaysOn
        + ", maxViewers=" + maxViewers + ", tokens=" + tokens.size() + ", options=" + options
        + (publish.isEmpty() ? "" : ", publish=" + publish) + "]";
  }
}
