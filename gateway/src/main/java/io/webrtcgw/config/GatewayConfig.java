package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Everything the gateway needs to start, validated once; immutable. */
public record GatewayConfig(
    String host, int port, List<StreamConfig> streams, List<IceServer> iceServers, Limits limits) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;

  @JsonCreator
  public static GatewayConfig fromJson(
      @JsonProperty("host") String host,
      @JsonProperty("port") Integer port,
      @JsonProperty("streams") List<StreamConfig> streams,
      @JsonProperty("iceServers") List<IceServer> iceServers,
      @JsonProperty("limits") Limits limits) {
    return new GatewayConfig(
        host == null ? DEFAULT_HOST : host,
        port == null ? DEFAULT_PORT : port,
        streams == null ? List.of() : streams,
        iceServers == null ? List.of() : iceServers,
        limits == null ? Limits.DEFAULT : limits);
  }

  public GatewayConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    streams = List.copyOf(streams);
    iceServers = List.copyOf(iceServers);
    Set<String> names = new HashSet<>();
    for (StreamConfig stream : streams) {
      if (!names.add(stream.name())) {
        throw new IllegalArgumentException("stream '" + stream.name() + "' is defined twice");
      }
    }
  }

  public GatewayConfig withStreams(List<StreamConfig> value) {
    return new GatewayConfig(host, port, value, iceServers, limits);
  }

  public GatewayConfig withPort(int value) {
    return new GatewayConfig(host, value, streams, iceServers, limits);
  }

  public GatewayConfig withHost(String value) {
    return new GatewayConfig(value, port, streams, iceServers, limits);
  }

  public GatewayConfig withLimits(Limits value) {
    return new GatewayConfig(host, port, streams, iceServers, value);
  }
}
