package io.webrtcgw.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.security.AccessPolicy.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private static StreamConfig stream(String name, String... tokens) {
    return new StreamConfig(name, "pattern:", false, 0, List.of(tokens));
  }

  @Test
  void openGatewayOpensEverything() {
    AccessPolicy policy = AccessPolicy.open();
    assertEquals(Verdict.ALLOWED, policy.stream("any", null));
    assertFalse(policy.hasAdminToken());
    assertFalse(policy.isAdmin("whatever-token"));
  }

  @Test
  void globalTokensOpenEveryStreamAndCloseUnknownOnes() {
    AccessPolicy policy = new AccessPolicy(AuthConfig.of(List.of("global-token"), "admin-token"),
        List.of(stream("a"), stream("b", "b-only-token")));
    assertEquals(Verdict.ALLOWED, policy.stream("a", "global-token"));
    assertEquals(Verdict.ALLOWED, policy.stream("b", "global-token"));
    assertEquals(Verdict.ALLOWED, policy.stream("b", "b-only-token"));
    assertEquals(Verdict.ALLOWED, policy.stream("a", "admin-token"));
    assertEquals(Verdict.FORBIDDEN, policy.stream("a", "b-only-token"));
    assertEquals(Verdict.MISSING, policy.stream("a", null));
    assertEquals(Verdict.MISSING, policy.stream("a", ""));
    assertEquals(Verdict.WRONG, policy.stream("a", "global-tokeN"));
    assertEquals(Verdict.WRONG, policy.stream("a", "global-token-and-more"));
    assertEquals(Verdict.MISSING, policy.stream("unknown", null), "unknown streams do not reveal themselves");
    assertTrue(policy.isAdmin("admin-token"));
    assertFalse(policy.isAdmin("global-token"));
    assertFalse(policy.isAdmin(null));
  }

  @Test
  void streamTokensCloseOnlyTheirStream() {
    AccessPolicy policy = new AccessPolicy(AuthConfig.NONE, List.of(stream("open"), stream("closed", "closed-token")));
    assertTrue(policy.isOpen("open"));
    assertFalse(policy.isOpen("closed"));
    assertEquals(Verdict.ALLOWED, policy.stream("open", null));
    assertEquals(Verdict.ALLOWED, policy.stream("open", "garbage-token"));
    assertEquals(Verdict.MISSING, policy.stream("closed", null));
    assertEquals(Verdict.ALLOWED, policy.stream("closed", "closed-token"));
  }

  @Test
  void originsAreMatchedExactlyAndTheGatewaysOwnIsAlwaysAllowed() {
    OriginPolicy any = new OriginPolicy(List.of("*"));
    assertTrue(any.allows("https://evil.example", "http://gw:8080"));
    OriginPolicy some = new OriginPolicy(List.of("https://good.example"));
    assertTrue(some.allows("https://GOOD.example", "http://gw:8080"));
    assertTrue(some.allows(null, "http://gw:8080"), "non-browser clients send no Origin");
    assertTrue(some.allows("http://gw:8080", "http://gw:8080"));
    assertFalse(some.allows("https://good.example:444", "http://gw:8080"));
    assertFalse(some.allows("http://good.example", "http://gw:8080"));
    assertFalse(some.allows("null", "http://gw:8080"));
  }
}
