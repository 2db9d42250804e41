package io.webrtcgw.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.webrtcgw.config.IceServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceServerLinksTest {
  @Test
  void readsServersWithAndWithoutCredentials() {
    List<IceServer> servers = IceServerLinks.parse(List.of(
        "<stun:stun.example.net>; rel=\"ice-server\"",
        "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; username=\"user\"; credential=\"pass\";"
            + " credential-type=\"password\""));
    assertEquals(List.of(new IceServer(List.of("stun:stun.example.net"), null, null),
        new IceServer(List.of("turn:turn.example.net?transport=udp"), "user", "pass")), servers);
  }

  @Test
  void readsSeveralLinksInOneHeaderAndQuotedCommas() {
    List<IceServer> servers = IceServerLinks.parse(List.of(
        "<turn:a.example:3478>; rel=ice-server; username=\"1700000000:pub\"; credential=\"a,b\\\"c=\", "
            + "<https://example.org/next>; rel=\"next\", <turns:b.example:443?transport=tcp>;rel=\"ice-server\""));
    assertEquals(List.of(new IceServer(List.of("turn:a.example:3478"), "1700000000:pub", "a,b\"c="),
        new IceServer(List.of("turns:b.example:443?transport=tcp"), null, null)), servers);
  }

  @Test
  void leavesOutWhatIsNotAnIceServer() {
    assertEquals(List.of(), IceServerLinks.parse(List.of(
        "<https://example.org/>; rel=\"ice-server\"",
        "<turn:x.example>; rel=\"alternate\"",
        "garbage without a link",
        "<turn:unterminated; rel=\"ice-server\"")));
  }

  @Test
  void relationsMaySeveralAndAnyCase() {
    assertEquals(1, IceServerLinks.parse(List.of("<stun:s.example>; REL=\"preload ICE-Server\"")).size());
  }
}
