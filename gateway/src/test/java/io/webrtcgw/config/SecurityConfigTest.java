package io.webrtcgw.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access, TLS, TURN and network keys: read, defaulted and validated with clear messages. */
class SecurityConfigTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsEveryKey() throws Exception {
    Path pem = write("cert.pem", "x");
    Path key = write("key.pem", "x");
    GatewayConfig config = ConfigLoader.load(write("gateway.yaml", String.join("\n",
        "streams:",
        "  - name: lobby",
        "    source: \"pattern:\"",
        "    tokens: [\"lobby-token-1\"]",
        "auth:",
        "  tokens: [\"viewer-token-1\", \"viewer-token-2\"]",
        "  adminToken: \"admin-token-1\"",
        "allowedOrigins: [\"https://Example.org\", \"http://localhost:3000\"]",
        "frameAncestors: \"'self' https://example.org\"",
        "tls:",
        "  certificate: " + pem,
        "  privateKey: " + key,
        "turn:",
        "  urls: [\"turn:turn.example.org:3478?transport=udp\"]",
        "  secret: \"s3cret\"",
        "  ttlSeconds: 600",
        "network:",
        "  publicIp: 203.0.113.10",
        "  udpPortMin: 40000",
        "  udpPortMax: 40099")));
    assertEquals(List.of("lobby-token-1"), config.streams().get(0).tokens());
    assertEquals(List.of("viewer-token-1", "viewer-token-2"), config.auth().tokens());
    assertEquals("admin-token-1", config.auth().adminToken());
    assertEquals(List.of("https://example.org", "http://localhost:3000"), config.allowedOrigins());
    assertEquals("'self' https://example.org", config.frameAncestors());
    assertTrue(config.tls().isPem());
    assertEquals(Duration.ofMinutes(10), config.turn().ttl());
    assertEquals(new NetworkConfig("203.0.113.10", 40000, 40099), config.network());
    assertFalse(config.toString().contains("s3cret"), "the TURN secret must not appear in toString");
    assertFalse(config.toString().contains("token-1"), "tokens must not appear in toString");
  }

  @Test
  void defaultsAreOpen() throws Exception {
    GatewayConfig config = ConfigLoader.load(write("plain.yaml", "port: 8080\n"));
    assertEquals(AuthConfig.NONE, config.auth());
    assertEquals(List.of("*"), config.allowedOrigins());
    assertEquals("*", config.frameAncestors());
    assertNull(config.tls());
    assertNull(config.turn());
    assertEquals(NetworkConfig.DEFAULT, config.network());
    assertEquals(List.of(), CommandLine.DEFAULT_STREAM.tokens());
  }

  @Test
  void badValuesNameTheKey() throws Exception {
    assertRejected("auth:\n  tokens: [\"short\"]\n", "auth.tokens: a token must be");
    assertRejected("allowedOrigins: [\"https://example.org/path\"]\n", "allowedOrigins: each entry");
    assertRejected("frameAncestors: \"*; script-src *\"\n", "frameAncestors must be");
    assertRejected("tls:\n  certificate: /nonexistent.pem\n  privateKey: /nonexistent.key\n", "tls: cannot read");
    assertRejected("tls:\n  certificate: /nonexistent.pem\n", "needs both certificate and privateKey");
    assertRejected("turn:\n  urls: [\"stun:x\"]\n  secret: s\n", "turn.urls must start with turn:");
    assertRejected("turn:\n  urls: [\"turn:x\"]\n", "secret");
    assertRejected("turn:\n  urls: [\"turn:x\"]\n  secret: s\n  ttlSeconds: 5\n", "ttlSeconds must be between");
    assertRejected("network:\n  publicIp: gw.example.org\n", "must be an IPv4 or IPv6 address");
    assertRejected("network:\n  udpPortMin: 40000\n", "set both udpPortMin and udpPortMax");
    assertRejected("network:\n  udpPortMin: 40010\n  udpPortMax: 40000\n", "udpPortMin <= udpPortMax");
  }

  private void assertRejected(String yaml, String expected) throws Exception {
    Path file = write("bad.yaml", yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file), yaml);
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
