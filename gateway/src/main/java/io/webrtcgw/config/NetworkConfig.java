package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the gateway's media is reachable from, for running behind a firewall or a 1:1 NAT.
 *
 * @param publicIp the address viewers reach this host at; host candidates are also announced with it.
 *     Null when the host's own addresses are reachable.
 * @param udpPortMin first UDP port for media, or 0 for any
 * @param udpPortMax last UDP port for media, or 0 for any
 */
public record NetworkConfig(String publicIp, int udpPortMin, int udpPortMax) {
  public static final NetworkConfig DEFAULT = new NetworkConfig(null, 0, 0);

  @JsonCreator
  public static NetworkConfig of(
      @JsonProperty("publicIp") String publicIp,
      @JsonProperty("udpPortMin") Integer udpPortMin,
      @JsonProperty("udpPortMax") Integer udpPortMax) {
    return new NetworkConfig(publicIp, udpPortMin == null ? 0 : udpPortMin, udpPortMax == null ? 0 : udpPortMax);
  }

  public NetworkConfig {
    if (publicIp != null && !isIpLiteral(publicIp)) {
      throw new IllegalArgumentException("network.publicIp must be an IPv4 or IPv6 address, not a name: " + publicIp);
    }
    if ((udpPortMin == 0) != (udpPortMax == 0)) {
      throw new IllegalArgumentException("network: set both udpPortMin and udpPortMax, or neither");
    }
    if (udpPortMin != 0 && (udpPortMin < 1024 || udpPortMax > 65535 || udpPortMin > udpPortMax)) {
      throw new IllegalArgumentException(
          "network: need 1024 <= udpPortMin <= udpPortMax <= 65535, got " + udpPortMin + "-" + udpPortMax);
    }
  }

  public boolean hasPortRange() {
    return udpPortMin != 0;
  }

  static boolean isIpLiteral(String value) {
    if (value.matches("(\\d{1,3})(\\.\\d{1,3}){3}")) {
      for (String part : value.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return value.contains(":") && value.matches("[0-9A-Fa-f:.]+");
  }
}
