package io.webrtcgw.http;

import java.util.Collection;
import java.util.Set;

/** Which web origins may call the gateway's HTTP API from a page (CORS). */
public final class CorsOrigins {
  private final Set<String> allowed;

  private CorsOrigins(Set<String> allowed) {
    this.allowed = allowed;
  }

  /** Any origin, the default: what a page may do is limited by tokens, not by where it lives. */
  public static CorsOrigins any() {
    return new CorsOrigins(null);
  }

  /** Only these origins, e.g. {@code https://example.org}; compared exactly. */
  public static CorsOrigins only(Collection<String> origins) {
    return new CorsOrigins(Set.copyOf(origins));
  }

  public boolean allows(String origin) {
    return allowed == null || allowed.contains(origin);
  }
}
