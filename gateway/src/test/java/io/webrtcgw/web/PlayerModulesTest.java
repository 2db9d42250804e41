package io.webrtcgw.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The viewer's pure modules (web/reconnect.js), tested with Node's own test runner
 * ({@code gateway/src/test/web/*.test.mjs}): no browser needed for a policy.
 */
class PlayerModulesTest {
  private static final Path ROOT = Path.of(System.getProperty("gateway.projectRoot", ".."));

  @Test
  void nodeTestsPass() throws Exception {
    Process node;
    try {
      node = new ProcessBuilder("node", "--test", "--test-reporter=tap", "gateway/src/test/web/")
          .directory(ROOT.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("Node.js is required (apt-get install nodejs npm): " + e.getMessage());
      return;
    }
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node --test finished");
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, node.exitValue(), out);
    Matcher pass = Pattern.compile("(?m)^# pass (\\d+)").matcher(out);
    assertTrue(pass.find() && Integer.parseInt(pass.group(1)) >= 4, out);
    assertTrue(out.contains("# fail 0"), out);
  }
}
