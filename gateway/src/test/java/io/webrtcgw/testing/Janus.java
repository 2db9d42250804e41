package io.webrtcgw.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's Janus 1.1.2 (apt-get install janus) as a test's SFU: the VideoRoom plugin with room 1234,
 * the HTTP API on port 8088 and the WebSocket API on 8188, from the config in
 * {@code src/test/resources/janus/}. It runs inside a network namespace of the test's own and
 * gathers candidates only on the interfaces the test names. It can be killed and started again.
 */
public final class Janus implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/janus");
  public static final int HTTP_PORT = 8088;
  public static final int ROOM = 1234;
  private static final List<String> CONFIG = List.of("janus.jcfg", "janus.plugin.videoroom.jcfg",
      "janus.transport.http.jcfg", "janus.transport.websockets.jcfg");

  private final List<String> command;
  private final Path directory;
  private final Path log;
  private LoggedProcess process;

  private Janus(List<String> command, Path directory) {
    this.command = command;
    this.directory = directory;
    this.log = directory.resolve("janus.log");
  }

  /**
   * Starts Janus through {@code prefix} (e.g. {@code ip netns exec NAME}), gathering only on
   * interfaces whose names contain {@code iceInterface}; its config and log go to {@code directory}.
   */
  public static Janus start(List<String> prefix, String iceInterface, Path directory) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError("Janus is required: apt-get install janus");
    }
    Files.createDirectories(directory);
    for (String file : CONFIG) {
      try (InputStream in = Janus.class.getResourceAsStream("/janus/" + file)) {
        if (in == null) {
          throw new AssertionError("test resource janus/" + file + " is missing");
        }
        Files.copy(in, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(BINARY.toString(), "--configs-folder=" + directory,
        "--config=" + directory.resolve("janus.jcfg"), "--ice-enforce-list=" + iceInterface, "--disable-colors"));
    Janus janus = new Janus(command, directory);
    janus.startProcess();
    return janus;
  }

  private void startProcess() throws IOException {
    long from = Files.exists(log) ? Files.size(log) : 0;
    process = LoggedProcess.start("Janus", command, directory, Map.of(), log);
    process.awaitLine("HTTP webserver started", from, Duration.ofSeconds(20));
    process.awaitLine("Websockets server started", from, Duration.ofSeconds(5));
  }

  /** SIGKILL: the SFU crashes, its peer connections and sessions gone at once. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  /** Starts it again (after {@link #kill}) and waits until its APIs answer. */
  public void restart() throws IOException, InterruptedException {
    if (process.alive()) {
      throw new IllegalStateException("Janus still runs");
    }
    startProcess();
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }
}
