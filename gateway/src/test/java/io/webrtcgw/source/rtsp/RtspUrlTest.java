package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RtspUrlTest {
  @Test
  void plainUrlGetsTheDefaultPort() {
    RtspUrl url = RtspUrl.parse("rtsp://cam.local/Streaming/Channels/101");
    assertEquals("cam.local", url.host());
    assertEquals(554, url.port());
    assertEquals("/Streaming/Channels/101", url.path());
    assertNull(url.username());
    assertNull(url.password());
    assertEquals("rtsp://cam.local/Streaming/Channels/101", url.request());
    assertEquals(url.request(), url.masked());
  }

  @Test
  void portQueryAndLogin() {
    RtspUrl url = RtspUrl.parse("rtsp://admin:secret@192.168.1.64:8554/cam/realmonitor?channel=1&subtype=0");
    assertEquals("192.168.1.64", url.host());
    assertEquals(8554, url.port());
    assertEquals("/cam/realmonitor?channel=1&subtype=0", url.path());
    assertEquals("admin", url.username());
    assertEquals("secret", url.password());
    assertEquals("rtsp://192.168.1.64:8554/cam/realmonitor?channel=1&subtype=0", url.request());
    assertEquals("rtsp://admin:***@192.168.1.64:8554/cam/realmonitor?channel=1&subtype=0", url.masked());
    assertEquals(url.masked(), url.toString());
  }

  @Test
  void passwordsMayHoldAtSignsColonsAndMoreUnescaped() {
    RtspUrl url = RtspUrl.parse("rtsp://admin:p@ss:w0rd#!$&'()*+,;=@10.0.0.5/h264Preview_01_main");
    assertEquals("admin", url.username());
    assertEquals("p@ss:w0rd#!$&'()*+,;=", url.password());
    assertEquals("10.0.0.5", url.host());
    assertEquals("/h264Preview_01_main", url.path());
    assertFalse(url.masked().contains("w0rd"), url.masked());
  }

  @Test
  void loginIsPercentDecodedAsUtf8() {
    RtspUrl url = RtspUrl.parse("rtsp://us%65r:p%2Fss%40w%C3%B6rd%zz@host:1/x");
    assertEquals("user", url.username());
    assertEquals("p/ss@wörd%zz", url.password(), "a '%' without two hex digits stays as it is");
    assertEquals("rtsp://user:***@host:1/x", url.masked());
  }

  @Test
  void aUserWithoutPasswordAndAnAtSignInThePath() {
    RtspUrl url = RtspUrl.parse("rtsp://viewer@host/live@main");
    assertEquals("viewer", url.username());
    assertNull(url.password());
    assertEquals("/live@main", url.path());
    assertEquals("rtsp://viewer@host/live@main", url.masked());
  }

  @Test
  void ipv6AndNoPath() {
    RtspUrl url = RtspUrl.parse("RTSP://[::1]:8554");
    assertEquals("::1", url.host());
    assertEquals(8554, url.port());
    assertEquals("/", url.path());
    assertEquals("rtsp://[::1]:8554/", url.request());
    assertEquals("/?a=b", RtspUrl.parse("rtsp://host?a=b").path());
    assertEquals(554, RtspUrl.parse("rtsp://host:/x").port(), "an empty port is the default one");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://host/x", "rtsp://", "rtsp:///path", "rtsp://host:0/x", "rtsp://host:70000/",
      "rtsp://host:abc/", "rtsp://ho st/x", "rtsp://[::1/x", "rtsp://a:b:c/x"})
  void refusesMalformedUrls(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse(text));
    assertTrue(e.getMessage().startsWith("RTSP URL") || e.getMessage().startsWith("an RTSP URL"), e.getMessage());
  }

  @Test
  void errorsNeverEchoAPassword() {
    // A raw '/' in the password makes the rest look like host and port: neither is echoed.
    for (String text : new String[] {"rtsp://admin:se/cr3t@host/x", "rtsp://admin:s3cr3t:x@ho st/x",
        "rtsp://admin:s3cr3t99@host:99999/x"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse(text));
      assertFalse(e.getMessage().contains("cr3t"), e.getMessage());
    }
  }

  @Test
  void resolvesWhatServersName() {
    RtspUrl base = RtspUrl.parse("rtsp://u:p@127.0.0.1:8554/cam/");
    assertEquals("rtsp://127.0.0.1:8554/cam/stream=0", base.resolve("stream=0").request());
    assertEquals("rtsp://127.0.0.1:8554/other", base.resolve("/other").request());
    assertEquals(base, base.resolve("*"));
    RtspUrl absolute = base.resolve("rtsp://10.0.0.2/cam/trackID=0");
    assertEquals("10.0.0.2", absolute.host());
    assertEquals("u", absolute.username(), "the login goes along to a server named in full");
    // Dahua's form: the track is appended after the query.
    RtspUrl dahua = RtspUrl.parse("rtsp://h/cam/realmonitor?channel=1&subtype=0");
    assertEquals("rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0", dahua.resolve("trackID=0").request());
    RtspUrl vlc = RtspUrl.parse("rtsp://127.0.0.1:5000/cam");
    assertEquals("rtsp://127.0.0.1:5000/cam/trackID=0", vlc.resolve("trackID=0").request());
  }
}
