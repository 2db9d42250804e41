package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.auth.Credentials;
import org.junit.jupiter.api.Test;

class HttpUrlTest {
  @Test
  void parsesTheCommonCameraForms() {
    HttpUrl esp = HttpUrl.parse("http://192.168.1.50:81/stream");
    assertEquals("192.168.1.50", esp.host());
    assertEquals(81, esp.port());
    assertEquals("/stream", esp.target());
    assertEquals("192.168.1.50:81", esp.hostHeader());
    assertFalse(esp.tls());

    HttpUrl octo = HttpUrl.parse("http://octopi.local:8080/?action=stream");
    assertEquals("/?action=stream", octo.target());
    HttpUrl bare = HttpUrl.parse("HTTP://Camera.Example");
    assertEquals("camera.example", bare.host());
    assertEquals(80, bare.port());
    assertEquals("/", bare.target());
    assertEquals("camera.example", bare.hostHeader());
    HttpUrl query = HttpUrl.parse("http://cam?x=1");
    assertEquals("/?x=1", query.target());

    HttpUrl secure = HttpUrl.parse("https://cam.example/ISAPI/Streaming/channels/101/picture#frag");
    assertTrue(secure.tls());
    assertEquals(443, secure.port());
    assertEquals("/ISAPI/Streaming/channels/101/picture", secure.target());
  }

  @Test
  void takesLoginsWithAwkwardPasswords() {
    HttpUrl url = HttpUrl.parse("http://admin:p@ss:w0rd@10.0.0.2/cgi-bin/mjpg/video.cgi?channel=1&subtype=1");
    assertEquals("admin", url.username());
    assertEquals("p@ss:w0rd", url.password());
    assertEquals("10.0.0.2", url.host());
    assertEquals("/cgi-bin/mjpg/video.cgi?channel=1&subtype=1", url.target());
    assertEquals("http://admin:***@10.0.0.2/cgi-bin/mjpg/video.cgi?channel=1&subtype=1", url.masked());
    assertFalse(url.toString().contains("w0rd"));

    HttpUrl escaped = HttpUrl.parse("http://us%40er:a%2Fb%25c%zz@cam/");
    assertEquals("us@er", escaped.username());
    assertEquals("a/b%c%zz", escaped.password(), "a '%' that starts no escape is kept");

    HttpUrl userOnly = HttpUrl.parse("http://viewer@cam:8081/");
    assertEquals("viewer", userOnly.username());
    assertNull(userOnly.password());
    assertEquals(new Credentials("viewer", ""), userOnly.credentials("other", "pw"));
  }

  @Test
  void aLoginInTheUrlWinsOverTheConfiguredOne() {
    assertEquals(new Credentials("u", "p"), HttpUrl.parse("http://u:p@cam/").credentials("cfg", "cfgpw"));
    assertEquals(new Credentials("cfg", "cfgpw"), HttpUrl.parse("http://cam/").credentials("cfg", "cfgpw"));
    assertNull(HttpUrl.parse("http://cam/").credentials(null, null));
  }

  @Test
  void parsesIpv6Literals() {
    HttpUrl url = HttpUrl.parse("http://[::1]:8080/video");
    assertEquals("[::1]", url.host());
    assertEquals("::1", url.socketHost());
    assertEquals("[::1]:8080", url.hostHeader());
  }

  @Test
  void secretQueryParametersAreMasked() {
    HttpUrl reolink = HttpUrl.parse("http://cam/cgi-bin/api.cgi?cmd=Snap&channel=0&user=admin&password=hunter22");
    assertEquals("http://cam/cgi-bin/api.cgi?cmd=Snap&channel=0&user=admin&password=***", reolink.masked());
    assertTrue(reolink.target().contains("hunter22"), "the request itself still carries it");
  }

  @Test
  void refusesBadUrlsWithoutShowingThePassword() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> HttpUrl.parse("http://admin:topsecret@cam:99999/"));
    assertTrue(port.getMessage().contains("port"), port.getMessage());
    assertFalse(port.getMessage().contains("topsecret"), port.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HttpUrl.parse("http://cam:80a/"));
    assertThrows(IllegalArgumentException.class, () -> HttpUrl.parse("http://cam/a b"));
    assertThrows(IllegalArgumentException.class, () -> HttpUrl.parse("http://[::1/"));
    assertThrows(IllegalArgumentException.class, () -> HttpUrl.parse("rtsp://cam/"));
    assertThrows(IllegalArgumentException.class, () -> HttpUrl.parse("http:///path"));
  }

  @Test
  void redirectsResolveAndKeepTheLoginOnlyOnTheSameServer() {
    HttpUrl base = HttpUrl.parse("http://u:p@cam:8080/cgi/video.cgi?ch=1");
    HttpUrl relative = base.resolve("stream.mjpg");
    assertEquals("/cgi/stream.mjpg", relative.target());
    assertEquals("u", relative.username());
    assertEquals("/other", base.resolve("/other").target());
    assertEquals("/cgi/video.cgi?ch=2", base.resolve("?ch=2").target());
    HttpUrl elsewhere = base.resolve("http://cdn.example/live");
    assertEquals("cdn.example", elsewhere.host());
    assertNull(elsewhere.username(), "no login for another server");
    HttpUrl sameServer = base.resolve("//cam:8080/x");
    assertEquals("u", sameServer.username());
  }
}
