package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the offer's video sections are, and how many sections a single stream's and a wall's offer may have. */
class OfferCheckTest {
  private static final String OFFER = String.join("\r\n",
      "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=mid:data",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:a0",
      "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:v1",
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:v3", "");

  @Test
  void videoSectionsAndTheFirstOnesTransceiver() {
    assertEquals(List.of("data", "a0", "v1", "", "v3"), OfferCheck.mids(OFFER));
    assertEquals(List.of("v1", "", "v3"), OfferCheck.videoMids(OFFER));
    // The data channel's section has no transceiver; the audio one does.
    assertEquals(1, OfferCheck.firstVideoRtpIndex(OFFER));
    assertEquals(-1, OfferCheck.firstVideoRtpIndex("v=0\r\nm=audio 9 RTP/AVP 0\r\n"));
  }

  @Test
  void aWallMayHaveMoreSectionsThanOneStream() throws Exception {
    StringBuilder many = new StringBuilder("v=0\r\n");
    for (int i = 0; i < 40; i++) {
      many.append("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:").append(i).append("\r\n");
    }
    SignalingException single = assertThrows(SignalingException.class, () -> OfferCheck.check(many.toString()));
    assertEquals(ErrorCode.BAD_SDP, single.code());
    assertEquals("the offer has 40 media sections; at most 16 are accepted", single.getMessage());
    OfferCheck.check(many.toString(), 36 + OfferCheck.WALL_SPARE_SECTIONS);
    assertThrows(SignalingException.class, () -> OfferCheck.check(many.toString(), 39));
  }
}
