package io.webrtcgw.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SecretMaskTest {
  @Test
  void masksThePasswordOfAUriAndKeepsTheUser() {
    assertEquals("rtsp://admin:***@192.0.2.7:554/Streaming/Channels/101",
        SecretMask.uri("rtsp://admin:s3cret@192.0.2.7:554/Streaming/Channels/101"));
    assertEquals("rtsp://admin@cam/live", SecretMask.uri("rtsp://admin@cam/live"));
    assertEquals("rtsp://cam/live", SecretMask.uri("rtsp://cam/live"));
  }

  @Test
  void aPasswordWithAnAtSignIsMaskedWhole() {
    String masked = SecretMask.uri("rtsp://admin:p@ss@w0rd@cam.local/h264");
    assertEquals("rtsp://admin:***@cam.local/h264", masked);
  }

  @Test
  void secretQueryParametersLoseTheirValues() {
    assertEquals("http://cam/cgi-bin/api.cgi?cmd=Snap&channel=0&user=admin&password=***",
        SecretMask.uri("http://cam/cgi-bin/api.cgi?cmd=Snap&channel=0&user=admin&password=hunter22"));
    assertEquals("http://cam/snap.jpg?token=***&w=640", SecretMask.uri("http://cam/snap.jpg?token=abc123&w=640"));
  }

  @Test
  void textMasksUrisAndNamedSecretsAnywhere() {
    String text = SecretMask.text("connect rtsp://u:pw1234@h/x failed; server said pw1234 is wrong", "pw1234");
    assertFalse(text.contains("pw1234"), text);
    assertEquals("connect rtsp://u:***@h/x failed; server said *** is wrong", text);
    assertNull(SecretMask.text(null, "x"));
  }
}
