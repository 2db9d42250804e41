package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OfferEditsTest {
  /** The shape of Chrome's recvonly video offer: VP8 first, H.264 in both packetization modes. */
  private static final String OFFER = String.join("\r\n",
      "v=0",
      "o=- 1 2 IN IP4 127.0.0.1",
      "s=-",
      "t=0 0",
      "a=group:BUNDLE 0",
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 45",
      "c=IN IP4 0.0.0.0",
      "a=mid:0",
      "a=recvonly",
      "a=rtpmap:96 VP8/90000",
      "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=96",
      "a=rtpmap:102 H264/90000",
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
      "a=rtpmap:103 rtx/90000",
      "a=fmtp:103 apt=102",
      "a=rtpmap:104 H264/90000",
      "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
      "a=rtpmap:105 rtx/90000",
      "a=rtpmap:45 AV1/90000",
      "");

  @Test
  void thePreferredCodecComesFirstInModeOne() {
    String out = OfferEdits.preferCodecs(OFFER, List.of("H264", "VP8"));
    assertEquals(OFFER.replace("96 97 102 103 104 105 45", "104 102 96 97 103 105 45"), out,
        "nothing but the m-line changes");
  }

  @Test
  void theViewersFirstCodecStaysFirstWhenTheGatewayPrefersItToo() {
    assertEquals(OFFER.replace("96 97 102 103 104 105 45", "96 104 102 97 103 105 45"),
        OfferEdits.preferCodecs(OFFER, List.of("VP8", "H264")));
  }

  @Test
  void anOfferWithoutTheCodecIsUnchanged() {
    String vp8Only = "v=0\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\na=rtpmap:96 VP8/90000\na=rtpmap:97 rtx/90000\n";
    assertEquals(vp8Only, OfferEdits.preferCodecs(vp8Only, List.of("H264", "VP8")));
  }

  @Test
  void onlyVideoSectionsAreTouched() {
    String offer = "v=0\nm=audio 9 RTP/SAVPF 111 0\na=rtpmap:111 opus/48000/2\na=rtpmap:0 PCMU/8000\n"
        + "m=video 9 RTP/SAVPF 96 100\na=rtpmap:96 VP8/90000\na=rtpmap:100 H264/90000\n";
    String out = OfferEdits.forGateway(offer);
    assertTrue(out.contains("m=audio 9 RTP/SAVPF 111 0\na=rtpmap:111 opus/48000/2\na=rtpmap:0 PCMU/8000\n"), out);
    assertTrue(out.contains("m=video 9 RTP/SAVPF 100 96\n"), out);
  }

  @Test
  void aWallStartsWithBitrateForEachOfItsTiles() {
    String section = "m=video 9 RTP/SAVPF 96\na=rtpmap:96 VP8/90000\n";
    assertTrue(OfferEdits.forGateway("v=0\n" + section.repeat(16), true).contains("x-google-start-bitrate=4800"));
    assertTrue(OfferEdits.forGateway("v=0\n" + section, true).contains("x-google-start-bitrate=600"), "never below one viewer's");
    assertTrue(OfferEdits.forGateway("v=0\n" + section.repeat(36), true).contains("x-google-start-bitrate=8000"), "capped");
    assertTrue(OfferEdits.forGateway("v=0\n" + section.repeat(16), false).contains("x-google-start-bitrate=600"));
  }

  @Test
  void everyVideoCodecGetsTheStartBitrateAndRetransmissionDoesNot() {
    String out = OfferEdits.startBitrate(OFFER, 600);
    assertTrue(out.contains("\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 x-google-start-bitrate=600\r\n"), out);
    assertTrue(out.contains("a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f;"
        + "x-google-start-bitrate=600\r\n"), out);
    assertTrue(out.contains("a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;"
        + "x-google-start-bitrate=600\r\n"), out);
    assertTrue(out.contains("a=rtpmap:45 AV1/90000\r\na=fmtp:45 x-google-start-bitrate=600\r\n"), out);
    assertTrue(out.contains("a=fmtp:97 apt=96\r\n") && out.contains("a=fmtp:103 apt=102\r\n"), out);
    assertFalse(out.contains("a=fmtp:105"), out);
    assertEquals(out, OfferEdits.startBitrate(out, 600), "applying it twice changes nothing more");
  }

  @Test
  void payloadTypesTheMLineDoesNotListLoseTheirAttributes() {
    // Firefox ESR 153's offer after setCodecPreferences(VP8, rtx): feedback for codecs it left out.
    String offer = String.join("\r\n",
        "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 120 124", "a=mid:0",
        "a=fmtp:120 max-fs=12288;max-fr=60", "a=fmtp:124 apt=120",
        "a=rtcp-fb:120 nack", "a=rtcp-fb:121 nack", "a=rtcp-fb:99 nack pli", "a=rtcp-fb:* transport-cc",
        "a=rtpmap:120 VP8/90000", "a=rtpmap:124 rtx/90000", "a=fmtp:126 profile-level-id=42e01f",
        "m=audio 9 UDP/TLS/RTP/SAVPF 109", "a=rtcp-fb:120 nack", "a=rtpmap:109 opus/48000/2", "");
    String edited = OfferEdits.withoutStrayPayloadAttributes(offer);
    assertEquals(String.join("\r\n",
        "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 120 124", "a=mid:0",
        "a=fmtp:120 max-fs=12288;max-fr=60", "a=fmtp:124 apt=120",
        "a=rtcp-fb:120 nack", "a=rtcp-fb:* transport-cc",
        "a=rtpmap:120 VP8/90000", "a=rtpmap:124 rtx/90000",
        "m=audio 9 UDP/TLS/RTP/SAVPF 109", "a=rtpmap:109 opus/48000/2", ""), edited);
    assertEquals(edited, OfferEdits.withoutStrayPayloadAttributes(edited), "a clean offer is unchanged");
  }
}
