package io.webrtcgw.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsYaml() throws Exception {
    GatewayConfig config = ConfigLoader.load(write("gateway.yaml", String.join("\n",
        "port: 9000",
        "host: 127.0.0.1",
        "streams:",
        "  - name: lobby",
        "    source: \"pattern:1280x720@30\"",
        "    alwaysOn: true",
        "    maxViewers: 4",
        "iceServers:",
        "  - urls: [\"stun:stun.example.org:3478\"]",
        "limits:",
        "  maxViewers: 50",
        "  disconnectGraceSeconds: 2.5",
        "  maxTilesPerSession: 12")));
    assertEquals(9000, config.port());
    assertEquals("127.0.0.1", config.host());
    assertEquals(new StreamConfig("lobby", "pattern:1280x720@30", true, 4), config.streams().get(0));
    assertEquals("stun:stun.example.org:3478", config.iceServers().get(0).urls().get(0));
    assertEquals(50, config.limits().maxViewers());
    assertEquals(Duration.ofMillis(2500), config.limits().disconnectGrace());
    assertEquals(Limits.DEFAULT.offerTimeout(), config.limits().offerTimeout());
    assertEquals(12, config.limits().maxTilesPerSession());
  }

  @Test
  void tilesPerSessionDefaultTo36AndAreBounded() throws Exception {
    assertEquals(36, ConfigLoader.load(write("default-tiles.yaml", "port: 9000\n")).limits().maxTilesPerSession());
    for (String bad : new String[] {"0", "257", "-3"}) {
      Path file = write("tiles-" + bad + ".yaml", "limits:\n  maxTilesPerSession: " + bad + "\n");
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
      assertTrue(e.getMessage().contains("maxTilesPerSession must be between 1 and 256"), e.getMessage());
    }
  }

  @Test
  void readsJson() throws Exception {
    GatewayConfig config = ConfigLoader.load(write("gateway.json",
        "{\"port\": 8081, \"streams\": [{\"name\": \"a\", \"source\": \"pattern:\"}]}"));
    assertEquals(8081, config.port());
    assertEquals(GatewayConfig.DEFAULT_HOST, config.host());
    assertEquals(StreamConfig.of("a", "pattern:"), config.streams().get(0));
  }

  @Test
  void unknownKeyNamesFileAndKey() throws Exception {
    Path file = write("bad.yaml", "streams:\n  - name: a\n    source: \"pattern:\"\n    colour: red\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'streams[0].colour'"), e.getMessage());
  }

  @Test
  void badValueNamesKeyAndReason() throws Exception {
    Path file = write("bad.yaml", "port: 99999\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertTrue(e.getMessage().contains("port must be between 0 and 65535"), e.getMessage());

    Path typed = write("typed.yaml", "limits:\n  maxViewers: lots\n");
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(typed));
    assertTrue(e.getMessage().contains("limits.maxViewers"), e.getMessage());

    Path name = write("name.yaml", "streams:\n  - name: 'a b'\n    source: \"pattern:\"\n");
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(name));
    assertTrue(e.getMessage().contains("stream name must be"), e.getMessage());

    Path ice = write("ice.yaml", "iceServers:\n  - urls: [\"http://x\"]\n");
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(ice));
    assertTrue(e.getMessage().contains("must start with stun:"), e.getMessage());
  }

  @Test
  void brokenSyntaxIsReported() throws Exception {
    Path file = write("broken.json", "{\"port\": ");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void commandLineAddsToTheFile() throws Exception {
    Path file = write("gateway.json", "{\"streams\": [{\"name\": \"a\", \"source\": \"pattern:\"}]}");
    CommandLine line = CommandLine.parse(new String[] {
        "--config", file.toString(), "--stream", "b=pattern:320x180@15", "--port=0", "--max-viewers", "3"});
    assertEquals(2, line.config().streams().size());
    assertEquals(0, line.config().port());
    assertEquals(3, line.config().limits().maxViewers());
  }

  @Test
  void noStreamMeansTheDefault() throws Exception {
    assertEquals(java.util.List.of(CommandLine.DEFAULT_STREAM), CommandLine.parse(new String[0]).config().streams());
  }
}
