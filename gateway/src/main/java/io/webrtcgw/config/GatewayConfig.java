package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything the gateway needs to start, validated once; immutable.
 *
 * @param allowedOrigins origins whose pages may open the signaling WebSocket; {@code *} (the
 *     default) allows any, and the gateway's own origin is always allowed
 * @param frameAncestors the {@code Content-Security-Policy: frame-ancestors} value: who may embed
 *     the gateway's pages in a frame
 * @param tls null for plain HTTP
 * @param turn null when no TURN server with a shared secret is configured
 * @param publicUrl where viewers reach the gateway ({@code scheme://host[:port]}), e.g. behind a
 *     reverse proxy; null when unset. Its origin is the gateway's own, and its host is answered.
 * @param allowedHosts host names the gateway answers to besides its own names, IP addresses and
 *     {@code publicUrl}'s host ({@code example.org}, {@code *.example.org}, or {@code *} for any):
 *     requests naming another {@code Host} get 421, so a DNS rebinding page cannot pass as the
 *     gateway's own origin
 * @param encoding the bitrate policy for every viewer's encoder
 */
public record GatewayConfig(
    String host, int port, List<StreamConfig> streams, List<IceServer> iceServers, Limits limits,
    AuthConfig auth, List<String> allowedOrigins, String frameAncestors, TlsConfig tls, TurnConfig turn,
    NetworkConfig network, String publicUrl, List<String> allowedHosts, EncodingConfig encoding) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final List<String> ANY_ORIGIN = List.of("*");
  public static final String DEFAULT_FRAME_ANCESTORS = "*";

  @JsonCreator
  public static GatewayConfig fromJson(
      @JsonProperty("host") String host,
      @JsonProperty("port") Integer port,
      @JsonProperty("streams") List<StreamConfig> streams,
      @JsonProperty("iceServers") List<IceServer> iceServers,
      @JsonProperty("limits") Limits limits,
      @JsonProperty("auth") AuthConfig auth,
      @JsonProperty("allowedOrigins") List<String> allowedOrigins,
      @JsonProperty("frameAncestors") String frameAncestors,
      @JsonProperty("tls") TlsConfig tls,
      @JsonProperty("turn") TurnConfig turn,
      @JsonProperty("network") NetworkConfig network,
      @JsonProperty("publicUrl") String publicUrl,
      @JsonProperty("allowedHosts") List<String> allowedHosts,
      @JsonProperty("encoding") EncodingConfig encoding) {
    return new GatewayConfig(
        host == null ? DEFAULT_HOST : host,
        port == null ? DEFAULT_PORT : port,
        streams == null ? List.of() : streams,
        iceServers == null ? List.of() : iceServers,
        limits == null ? Limits.DEFAULT : limits,
        auth == null ? AuthConfig.NONE : auth,
        allowedOrigins == null ? ANY_ORIGIN : allowedOrigins,
        frameAncestors == null ? DEFAULT_FRAME_ANCESTORS : frameAncestors,
        tls,
        turn,
        network == null ? NetworkConfig.DEFAULT : network,
        publicUrl,
        allowedHosts == null ? List.of() : allowedHosts,
        encoding == null ? EncodingConfig.DEFAULT : encoding);
  }

  /** The settings of a plain gateway: no access control, TLS, TURN or NAT settings. */
  public static GatewayConfig fromJson(
      String host, Integer port, List<StreamConfig> streams, List<IceServer> iceServers, Limits limits) {
    return fromJson(host, port, streams, iceServers, limits, null, null, null, null, null, null, null, null, null);
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
    allowedOrigins = allowedOrigins.stream().map(GatewayConfig::checkOrigin).toList();
    if (publicUrl != null) {
      publicUrl = checkPublicUrl(publicUrl);
    }
    allowedHosts = allowedHosts.stream().map(GatewayConfig::checkHost).toList();
    if (encoding == null) {
      encoding = EncodingConfig.DEFAULT;
    }
    if (frameAncestors == null || frameAncestors.isBlank() || !frameAncestors.matches("[^;,\\r\\n]+")) {
      throw new IllegalArgumentException(
          "frameAncestors must be a CSP source list such as '*', \"'self'\" or 'https://example.org', without ';'");
    }
  }

  private static String checkPublicUrl(String url) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (!trimmed.matches("(?i)https?://[A-Za-z0-9.\\-]+(:\\d{1,5})?|(?i)https?://\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) {
      throw new IllegalArgumentException(
          "publicUrl must be scheme://host[:port] (http or https, no path), such as https://cam.example.org: " + url);
    }
    return trimmed.toLowerCase(Locale.ROOT);
  }

  private static String checkHost(String host) {
    if (host == null || !(host.equals("*") || host.matches("(\\*\\.)?[A-Za-z0-9][A-Za-z0-9.\\-]*"))) {
      throw new IllegalArgumentException(
          "allowedHosts: each entry must be a host name, *.domain, or * (any host), without port: " + host);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static String checkOrigin(String origin) {
    if (origin == null || !(origin.equals("*") || origin.matches("(?i)https?://[^/\\s]+"))) {
      throw new IllegalArgumentException(
          "allowedOrigins: each entry must be '*' or scheme://host[:port] without a path: " + origin);
    }
    return origin.toLowerCase(Locale.ROOT);
  }

  public GatewayConfig withStreams(List<StreamConfig> value) {
    return new GatewayConfig(host, port, value, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withPort(int value) {
    return new GatewayConfig(host, value, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withHost(String value) {
    return new GatewayConfig(value, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withLimits(Limits value) {
    return new GatewayConfig(host, port, streams, iceServers, value, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withAuth(AuthConfig value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, value, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withAllowedOrigins(List<String> value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, value, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withFrameAncestors(String value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, value, tls, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withTls(TlsConfig value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, value, turn,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withTurn(TurnConfig value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, value,
        network, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withNetwork(NetworkConfig value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        value, publicUrl, allowedHosts, encoding);
  }

  public GatewayConfig withPublicUrl(String value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, value, allowedHosts, encoding);
  }

  public GatewayConfig withAllowedHosts(List<String> value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, value, encoding);
  }

  public GatewayConfig withEncoding(EncodingConfig value) {
    return new GatewayConfig(host, port, streams, iceServers, limits, auth, allowedOrigins, frameAncestors, tls, turn,
        network, publicUrl, allowedHosts, value);
  }
}
