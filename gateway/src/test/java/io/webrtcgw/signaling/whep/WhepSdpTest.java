package io.webrtcgw.signaling.whep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.signaling.whep.WhepSdp.Fragment;
import io.webrtcgw.signaling.whep.WhepSdp.IceCredentials;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.util.List;
import org.junit.jupiter.api.Test;

class WhepSdpTest {
  private static final String HOST = "candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host generation 0 ufrag Ab3d";
  private static final String OFFER = String.join("\r\n",
      "v=0", "o=- 42 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
      "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ice-ufrag:Ab3d", "a=ice-pwd:0123456789abcdefghijklmn", "a=mid:0",
      "a=candidate:" + HOST.substring("candidate:".length()), "a=end-of-candidates", "a=recvonly",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=ice-ufrag:Ab3d", "a=ice-pwd:0123456789abcdefghijklmn", "a=mid:1",
      "a=recvonly", "");

  @Test
  void readsAFragmentAsWhepPlayersWriteIt() throws Exception {
    Fragment fragment = WhepSdp.parseFragment(
        "a=ice-ufrag:Ab3d\r\na=ice-pwd:secret\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:v\r\na=" + HOST
            + "\r\na=end-of-candidates\r\n", "0");

    assertEquals(new IceCredentials("Ab3d", "secret"), fragment.credentials());
    assertEquals(List.of(new Candidate(HOST, "v", 0)), fragment.candidates());
    assertTrue(fragment.endOfCandidates());
  }

  @Test
  void candidatesOutsideAnyMediaSectionGoToTheDefaultMid() throws Exception {
    Fragment fragment = WhepSdp.parseFragment("a=" + HOST + "\n", "0");
    assertEquals(List.of(new Candidate(HOST, "0", 0)), fragment.candidates());
    assertNull(fragment.credentials().ufrag());
  }

  @Test
  void refusesWhatIsNotAFragment() {
    SignalingException notSdp = assertThrows(SignalingException.class, () -> WhepSdp.parseFragment("hello", "0"));
    assertEquals(ErrorCode.BAD_SDP, notSdp.code());
    assertEquals(ErrorCode.BAD_SDP, assertThrows(SignalingException.class, () -> WhepSdp.parseFragment(" \r\n", "0")).code());
    assertEquals(ErrorCode.BAD_SDP, assertThrows(SignalingException.class,
        () -> WhepSdp.parseFragment("a=ice-options:trickle\r\n", "0")).code());
    assertEquals(ErrorCode.BAD_CANDIDATE, assertThrows(SignalingException.class,
        () -> WhepSdp.parseFragment("a=candidate:1 1 udp 5\r\n", "0")).code());
  }

  @Test
  void newCredentialsReplaceTheOldAndDropCandidates() {
    String restarted = WhepSdp.withCredentials(OFFER, new IceCredentials("New1", "newpassword0123456789abc"));

    assertEquals(new IceCredentials("New1", "newpassword0123456789abc"), WhepSdp.credentials(restarted));
    assertFalse(restarted.contains("Ab3d") || restarted.contains("a=candidate") || restarted.contains("end-of-candidates"),
        restarted);
    assertTrue(restarted.contains("o=- 42 3 IN IP4 127.0.0.1\r\n"), "a new offer has a higher version: " + restarted);
    assertEquals(2, restarted.split("a=ice-ufrag:New1").length - 1);
  }

  @Test
  void candidatesGoIntoTheirMediaSection() {
    String answer = WhepSdp.withCredentials(OFFER, new IceCredentials("u", "p"));
    String withCandidates = WhepSdp.withCandidates(answer, List.of(new Candidate(HOST, "0", 0)), true);

    int video = withCandidates.indexOf("m=video");
    int audio = withCandidates.indexOf("m=audio");
    int candidate = withCandidates.indexOf("a=" + HOST + "\r\na=end-of-candidates\r\n");
    assertTrue(candidate > video && candidate < audio, withCandidates);
    assertEquals(1, withCandidates.split("a=end-of-candidates").length - 1, withCandidates);
    assertFalse(WhepSdp.withCandidates(answer, List.of(), false).contains("end-of-candidates"));
  }

  @Test
  void writesTheRestartFragment() {
    String fragment = WhepSdp.fragment(new IceCredentials("u", "p"), WhepSdp.firstMedia(OFFER),
        List.of(new Candidate(HOST, "0", 0)), true);
    assertEquals("a=ice-ufrag:u\r\na=ice-pwd:p\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=" + HOST
        + "\r\na=end-of-candidates\r\n", fragment);
  }

  @Test
  void findsTheUfragOfACandidate() {
    assertEquals("Ab3d", WhepSdp.candidateUfrag(HOST));
    assertNull(WhepSdp.candidateUfrag("candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host"));
  }
}
