package io.webrtcgw.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.webrtcgw.security.OriginPolicy;

/**
 * Which pages may use the gateway's signaling (WebSocket and WHEP): {@code allowedOrigins}, and
 * the gateway's own origins: {@code publicUrl}'s when set, and the one the request addressed
 * (whose {@code Host} the edge has already checked, so a rebound name never gets this far).
 */
final class OriginGate {
  private final OriginPolicy policy;
  private final String publicOrigin;

  /** @param publicUrl the configured {@code publicUrl}, or null */
  OriginGate(OriginPolicy policy, String publicUrl) {
    this.policy = policy;
    this.publicOrigin = publicUrl;
  }

  /** The request's {@code Origin}, or null (a program, not a browser). */
  static String origin(HttpServerExchange exchange) {
    return exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
  }

  boolean allows(HttpServerExchange exchange) {
    String origin = origin(exchange);
    String addressed = exchange.getRequestScheme() + "://" + exchange.getRequestHeaders().getFirst(Headers.HOST);
    return policy.allows(origin, addressed) || (publicOrigin != null && policy.allows(origin, publicOrigin));
  }
}
