package io.webrtcgw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real command line in a child JVM: bad arguments give one clear line and exit code 2. */
class MainCliTest {

  record Result(int exitCode, String stdout, String stderr) {}

  static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway did not exit");
    return new Result(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--port abc                       | --port must be a number from 0 to 65535, not 'abc'",
    "--port 70000                     | --port must be a number from 0 to 65535",
    "--bogus                          | unknown argument '--bogus'",
    "--stream                         | --stream needs a value",
    "--stream nameonly                | --stream needs NAME=URI",
    "--stream a=rtsp://cam:99999/x    | stream 'a': RTSP URL has an invalid port",
    "--stream a=rtsps://cam/x         | RTSP over TLS (rtsps://) is not supported",
    "--stream a=srt://cam             | unknown kind 'srt'",
    "--stream a=pattern:10x10         | pattern size must be even, from 64x16",
    "--stream a=pattern: --stream a=pattern: | stream 'a' is defined twice",
    "--stream a=file:/no/such/clip.mp4 | /no/such/clip.mp4",
    "--config /no/such/gateway.yaml   | /no/such/gateway.yaml: no such file",
    "--stream c=camera:0?fps=fast     | camera option fps must be a number",
  })
  void badArgumentsGiveOneClearLineAndExitCode2(String args, String expected) throws Exception {
    Result result = run(args.trim().split("\\s+"));
    assertEquals(2, result.exitCode(), "exit code; stderr was: " + result.stderr());
    String[] lines = result.stderr().strip().split("\n");
    assertEquals(1, lines.length, "exactly one line on stderr, got: " + result.stderr());
    assertTrue(lines[0].startsWith("gateway: "), lines[0]);
    assertTrue(lines[0].contains(expected.trim()), "'" + lines[0] + "' should mention: " + expected);
    assertFalse(result.stderr().contains("Exception"), "no stack trace: " + result.stderr());
  }

  @org.junit.jupiter.api.Test
  void listCamerasDescribesTheDevicesOrSaysThereAreNone() throws Exception {
    Result result = run("--list-cameras");
    assertEquals(0, result.exitCode(), result.stderr());
    boolean none = !java.nio.file.Files.exists(Path.of("/dev/video0"));
    assertTrue(none ? result.stdout().contains("no cameras found") : result.stdout().contains("modes:"), result.stdout());
  }

  @ParameterizedTest
  @CsvSource({"--help", "-h"})
  void helpPrintsUsage(String flag) throws Exception {
    Result result = run(flag);
    assertEquals(0, result.exitCode());
    assertTrue(result.stdout().contains("usage: java -jar gateway.jar"), result.stdout());
  }
}
