package io.webrtcgw.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import io.webrtcgw.security.AccessPolicy;
import java.util.Deque;

/** The token checks of the HTTP routes: the token a request carries, and 401 or 403 when it is refused. */
final class AccessGate {
  private final AccessPolicy policy;

  AccessGate(AccessPolicy policy) {
    this.policy = policy;
  }

  AccessPolicy policy() {
    return policy;
  }

  /** The request's token: {@code ?token=} (what browsers can send on a WebSocket) or a Bearer header. */
  static String token(HttpServerExchange exchange) {
    Deque<String> query = exchange.getQueryParameters().get("token");
    if (query != null && !query.isEmpty()) {
      return query.peekFirst();
    }
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }

  /** Checks the request's token for {@code stream}; sends 401 or 403 and returns false when refused. */
  boolean allowed(HttpServerExchange exchange, String stream) {
    AccessPolicy.Verdict verdict = policy.stream(stream, token(exchange));
    switch (verdict) {
      case ALLOWED -> {
        return true;
      }
      case FORBIDDEN -> Responses.sendError(exchange, StatusCodes.FORBIDDEN, "forbidden",
          "this token does not open stream '" + stream + "'");
      case MISSING -> unauthorized(exchange, "stream '" + stream + "' needs a token: add ?token=...");
      case WRONG -> unauthorized(exchange, "the token is not valid");
    }
    return false;
  }

  /** Checks for the admin token; sends 403 (no admin token set), 401 or returns true. */
  boolean admin(HttpServerExchange exchange, String what) {
    if (!policy.hasAdminToken()) {
      Responses.sendError(exchange, StatusCodes.FORBIDDEN, "disabled", what + " needs auth.adminToken set in the config");
      return false;
    }
    if (!policy.isAdmin(token(exchange))) {
      unauthorized(exchange, what + " needs the admin token (?token= or Authorization: Bearer)");
      return false;
    }
    return true;
  }

  private static void unauthorized(HttpServerExchange exchange, String message) {
    exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
    Responses.sendError(exchange, StatusCodes.UNAUTHORIZED, "unauthorized", message);
  }
}
