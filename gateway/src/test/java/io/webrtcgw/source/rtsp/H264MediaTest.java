package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.h264.SequenceParameters;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The H.264 video of real servers' SDP, and a clear refusal of everything else. */
class H264MediaTest {
  private static String sdpOf(String conversation) {
    for (String message : Captures.serverMessages(conversation)) {
      int body = message.indexOf("\r\n\r\n");
      if (message.contains("application/sdp")) {
        return message.substring(body + 4);
      }
    }
    throw new AssertionError("no SDP in " + conversation);
  }

  @Test
  void gstreamer() throws RtspException {
    RtspUrl base = RtspUrl.parse("rtsp://127.0.0.1:18556/cam/");
    SessionDescription sdp = SessionDescription.parse(sdpOf("gst-conversation.txt"));
    assertEquals("*", sdp.attribute("control"));
    H264Media media = H264Media.choose(sdp, base);
    assertEquals("rtsp://127.0.0.1:18556/cam/stream=0", media.control().request());
    assertEquals(96, media.payloadType());
    assertEquals(90000, media.clockRate());
    assertEquals(1, media.packetizationMode());
    assertEquals(2, media.parameterSets().size());
    ByteBuffer sps = media.parameterSets().get(0);
    assertEquals(7, sps.get(0) & 0x1F);
    SequenceParameters parameters = SequenceParameters.read(sps.duplicate().position(1).slice());
    assertEquals(160, parameters.width());
    assertEquals(120, parameters.height());
    assertEquals(8, media.parameterSets().get(1).get(0) & 0x1F);
  }

  @Test
  void vlcNamesItsTrackInFull() throws RtspException {
    H264Media media = H264Media.choose(SessionDescription.parse(sdpOf("vlc-conversation.txt")),
        RtspUrl.parse("rtsp://127.0.0.1:18558/cam"));
    assertEquals("rtsp://127.0.0.1:18558/cam/trackID=0", media.control().request());
    assertEquals(2, media.parameterSets().size(), "the trailing ';' of VLC's fmtp is harmless");
  }

  /** As Hikvision cameras describe a main stream (after published examples), audio first. */
  private static final String HIKVISION = String.join("\r\n",
      "v=0", "o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64", "s=Media Presentation",
      "e=NONE", "b=AS:5050", "t=0 0", "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/",
      "m=audio 0 RTP/AVP 0", "c=IN IP4 0.0.0.0", "b=AS:50", "a=recvonly",
      "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2", "a=rtpmap:0 PCMU/8000",
      "m=video 0 RTP/AVP 96", "c=IN IP4 0.0.0.0", "b=AS:5000", "a=recvonly",
      "a=x-dimensions:1920,1080",
      "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1",
      "a=rtpmap:96 H264/90000",
      "a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==",
      "a=Media_header:MEDIAINFO=494D4B48010100000400000100000000000000000000000000000000000000000000000000000000;",
      "a=appversion:1.0", "");

  @Test
  void hikvisionWithAudioFirst() throws RtspException {
    H264Media media = H264Media.choose(SessionDescription.parse(HIKVISION),
        RtspUrl.parse("rtsp://admin:x@192.168.1.64:554/Streaming/Channels/101"));
    assertEquals("rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1", media.control().request());
    assertEquals("admin", media.control().username(), "the login goes along to the track");
    assertEquals(2, media.parameterSets().size());
  }

  /** Dahua's form: a relative track after a base URL that ends in a query. */
  @Test
  void dahuaAppendsTheTrackAfterTheQuery() throws RtspException {
    String sdp = String.join("\r\n", "v=0", "o=- 2251938200 2251938200 IN IP4 0.0.0.0", "s=Media Server",
        "c=IN IP4 0.0.0.0", "t=0 0", "a=control:*", "a=range:npt=now-", "m=video 0 RTP/AVP 96",
        "a=control:trackID=0", "a=framerate:25.000000", "a=rtpmap:96 H264/90000",
        "a=fmtp:96 packetization-mode=1;profile-level-id=4D002A;sprop-parameter-sets=Z00AKpY1QPAET8s3AQEBQAABwgAAV+QB,aO4xsg==",
        "m=audio 0 RTP/AVP 8", "a=control:trackID=1", "a=rtpmap:8 PCMA/8000", "");
    H264Media media = H264Media.choose(SessionDescription.parse(sdp),
        RtspUrl.parse("rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0"));
    assertEquals("rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0/trackID=0", media.control().request());
  }

  @Test
  void noParameterSetsInTheSdpIsFine() throws RtspException {
    String sdp = "v=0\nm=video 0 RTP/AVP 97\na=rtpmap:97 H264/90000\na=fmtp:97 packetization-mode=0\n";
    H264Media media = H264Media.choose(SessionDescription.parse(sdp), RtspUrl.parse("rtsp://h/x"));
    assertEquals(97, media.payloadType());
    assertEquals(List.of(), media.parameterSets());
    assertEquals("rtsp://h/x", media.control().request(), "without a control the base URL is the track");
  }

  @Test
  void refusesWhatItCannotPlayNamingIt() {
    assertRefused("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\n", "H.265/HEVC", "JCodec");
    assertRefused("v=0\nm=video 0 RTP/AVP 26\n", "Motion JPEG");
    assertRefused("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 MP4V-ES/90000\n", "MPEG-4 Part 2");
    assertRefused("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 ZZZ/90000\n", "ZZZ");
    assertRefused("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:0 PCMU/8000\nm=application 0 RTP/AVP 107\n",
        "no video track", "audio, application");
    assertRefused("v=0\ns=empty\n", "no media");
    assertRefused("v=0\nm=video 0 RTP/SAVP 96\na=rtpmap:96 H264/90000\n", "encrypted");
    assertRefused("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=2\n",
        "packetization mode 2");
  }

  private static void assertRefused(String sdp, String... words) {
    RtspException e = assertThrows(RtspException.class,
        () -> H264Media.choose(SessionDescription.parse(sdp), RtspUrl.parse("rtsp://h/x")));
    assertEquals(RtspException.Retry.SLOWLY, e.retry());
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "expected '" + word + "' in: " + e.getMessage());
    }
  }

  @Test
  void garbageNeverThrows() {
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      String text = "m=video 0 RTP/AVP 96\na=rtpmap:96 H264/" + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      try {
        H264Media.choose(SessionDescription.parse(text), RtspUrl.parse("rtsp://h/x"));
      } catch (RtspException expected) {
        // a refusal is an answer
      }
    }
  }
}
