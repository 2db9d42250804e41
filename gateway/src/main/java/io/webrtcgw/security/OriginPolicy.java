package io.webrtcgw.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open the signaling WebSocket: protection against cross-site WebSocket
 * hijacking. Browsers always send {@code Origin} on a WebSocket upgrade; a request without one
 * comes from a program, which could forge the header anyway, so it is let through.
 */
public final class OriginPolicy {
  private final boolean any;
  private final Set<String> allowed;

  public OriginPolicy(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.allowed = Set.copyOf(allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
  }

  /**
   * @param origin the request's {@code Origin} header, or null
   * @param ownOrigin this gateway's origin as the request addressed it ({@code scheme://host[:port]}),
   *     always allowed so that the gateway's own pages keep working
   */
  public boolean allows(String origin, String ownOrigin) {
    if (any || origin == null) {
      return true;
    }
    String normalized = origin.toLowerCase(Locale.ROOT);
    return allowed.contains(normalized) || normalized.equals(ownOrigin.toLowerCase(Locale.ROOT));
  }
}
