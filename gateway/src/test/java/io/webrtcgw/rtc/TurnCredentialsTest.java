package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.TurnConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

  @Test
  void mintsCoturnRestCredentials() {
    TurnConfig config = TurnConfig.of(List.of("turn:turn.example.org:3478"), "north-secret", 3600L);
    IceServer server = new TurnCredentials(config, CLOCK).mint("abc123");
    assertEquals(List.of("turn:turn.example.org:3478"), server.urls());
    assertEquals("1700003600:abc123", server.username());
    // Computed independently (Python's hmac module) for the same secret and username.
    assertEquals("fPpoI4KOYuFeB7He9woB6281tuY=", server.credential());
  }

  @Test
  void theEngineAddsMintedTurnToTheConfiguredServers() {
    IceServer stun = new IceServer(List.of("stun:stun.example.org"), null, null);
    TurnConfig turn = TurnConfig.of(List.of("turn:turn.example.org"), "north-secret", null);
    try (RtcEngine engine = new RtcEngine(List.of(stun), turn, io.webrtcgw.config.NetworkConfig.DEFAULT, CLOCK)) {
      List<IceServer> servers = engine.iceServersFor("s1");
      assertEquals(2, servers.size());
      assertEquals(stun, servers.get(0));
      assertEquals("1700003600:s1", servers.get(1).username());
      assertEquals(List.of(stun), engine.iceServers(), "the shared list never holds a session's credentials");
      assertNull(servers.get(0).credential());
    }
  }

  @Test
  void publicAddressCopiesHostCandidatesOnly() {
    PublicAddress nat = new PublicAddress("203.0.113.7");
    assertEquals("candidate:1 1 udp 2122260223 203.0.113.7 40002 typ host generation 0",
        nat.rewrite("candidate:1 1 udp 2122260223 10.0.0.5 40002 typ host generation 0"));
    assertNull(nat.rewrite("candidate:2 1 udp 1686052607 198.51.100.1 40002 typ srflx raddr 10.0.0.5 rport 40002"));
    assertNull(nat.rewrite("candidate:3 1 udp 2122262783 fd00::2 40004 typ host generation 0"), "IPv6 stays");
    assertNull(nat.rewrite("candidate:4 1 udp 2122260223 203.0.113.7 40002 typ host"), "already public");
    assertNull(nat.rewrite(""));
  }
}
