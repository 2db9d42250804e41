package io.webrtcgw.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishConfigTest {
  private static final String KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";

  @TempDir
  Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file);
  }

  private ConfigException refused(String yaml) {
    return assertThrows(ConfigException.class, () -> load(yaml));
  }

  @Test
  void readsTargetsWithTheirEncodeSettings() throws Exception {
    GatewayConfig config = load(String.join("\n",
        "streams:",
        "  - name: lobby",
        "    source: \"pattern:1280x720@30\"",
        "    publish:",
        "      - url: https://sfu.example.org/whip/endpoint/lobby",
        "        token: eyJhbGciOi.J9.abc-_~+/=",
        "      - url: http://10.0.0.5:7080/whip/endpoint/" + KEY,
        "        name: backup",
        "        height: 360",
        "        fps: 15",
        "        bitrateKbps: 800",
        ""));
    List<PublishConfig> targets = config.streams().get(0).publish();
    assertEquals(2, targets.size());
    PublishConfig first = targets.get(0);
    assertEquals(URI.create("https://sfu.example.org/whip/endpoint/lobby"), first.url());
    assertEquals("sfu.example.org", first.name());
    assertEquals("eyJhbGciOi.J9.abc-_~+/=", first.token());
    assertNull(first.height());
    assertNull(first.fps());
    assertNull(first.bitrateKbps());
    PublishConfig second = targets.get(1);
    assertEquals("backup", second.name());
    assertEquals(360, second.height());
    assertEquals(15.0, second.fps());
    assertEquals(800, second.bitrateKbps());
    assertNull(second.token());
    assertEquals("http://10.0.0.5:7080", second.origin());
  }

  @Test
  void aStreamPublishesNowhereByDefault() throws Exception {
    assertEquals(List.of(), load("streams:\n  - name: a\n    source: \"pattern:\"\n").streams().get(0).publish());
  }

  @Test
  void neitherTheTokenNorThePathIsPrinted() {
    PublishConfig target = PublishConfig.of("https://customer.example.com/" + KEY + "/webRTC/publish", "secret-token-value");
    StreamConfig stream = StreamConfig.of("a", "pattern:").withPublish(List.of(target));
    for (String text : List.of(target.toString(), stream.toString())) {
      assertFalse(text.contains("secret-token-value"), text);
      assertFalse(text.contains(KEY), text);
      assertTrue(text.contains("https://customer.example.com"), text);
    }
  }

  @Test
  void badTargetsAreRefusedWithTheKeyAndTheReason() {
    ConfigException e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n      - token: abc\n");
    assertTrue(e.getMessage().contains("streams[0].publish[0]") && e.getMessage().contains("url"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n      - url: rtsp://cam/x\n");
    assertTrue(e.getMessage().contains("http:// or https://"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://user:hunter22@sfu.example.org/whip\n");
    assertTrue(e.getMessage().contains("token, not in the url"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter22"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip\n        token: \"has space\"\n");
    assertTrue(e.getMessage().contains("Bearer token"), e.getMessage());
    assertFalse(e.getMessage().contains("has space"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip\n        fps: 0\n");
    assertTrue(e.getMessage().contains("fps of sfu.example.org must be from 1 to 60"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip\n        height: 40\n");
    assertTrue(e.getMessage().contains("height"), e.getMessage());

    e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip\n        colour: red\n");
    assertTrue(e.getMessage().contains("unknown key 'streams[0].publish[0].colour'"), e.getMessage());
  }

  @Test
  void twoTargetsOfOneHostNeedNamesOfTheirOwn() throws Exception {
    ConfigException e = refused("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip/one\n      - url: https://sfu.example.org/whip/two\n");
    assertTrue(e.getMessage().contains("publishes to 'sfu.example.org' twice"), e.getMessage());

    GatewayConfig named = load("streams:\n  - name: a\n    source: \"pattern:\"\n    publish:\n"
        + "      - url: https://sfu.example.org/whip/one\n      - url: https://sfu.example.org/whip/two\n"
        + "        name: second\n");
    assertEquals(2, named.streams().get(0).publish().size());
  }
}
