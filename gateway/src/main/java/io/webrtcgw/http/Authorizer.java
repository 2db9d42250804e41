package io.webrtcgw.http;

import java.util.Optional;

/**
 * Decides whether a request may watch a stream, given the bearer token it carries ({@code
 * Authorization: Bearer ...}). The one place viewer tokens plug into WHEP.
 */
@FunctionalInterface
public interface Authorizer {
  /** No tokens configured: everyone may watch. */
  Authorizer ALLOW_ALL = (stream, token) -> true;

  boolean allows(String stream, Optional<String> bearerToken);
}
