package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Meetecho's simple-whip-server (Node) with Janus as its backend, as Debian packages it. {@code
 * apt-get install simple-whip-server} does not install next to this machine's Node.js (its
 * {@code nodejs} dependency conflicts), so the test takes Debian's package file ({@code apt-get
 * download}, then {@code dpkg -x} into {@code target/}) and the server's npm dependencies from the
 * lockfile in {@code src/test/whip-server/} ({@code npm ci}); both once per checkout.
 */
public final class SimpleWhipServer implements AutoCloseable {
  public static final int PORT = 7080;
  private static final Path DEPENDENCIES = NodeModules.projectDirectory("gateway/src/test/whip-server");
  private static final Path UNPACKED = NodeModules.projectDirectory("gateway/target/simple-whip-server");
  private static final Path SOURCE = UNPACKED.resolve("usr/share/simple-whip-server/src");

  private final List<String> prefix;
  private final LoggedProcess process;

  private SimpleWhipServer(List<String> prefix, LoggedProcess process) {
    this.prefix = prefix;
    this.process = process;
  }

  /**
   * Starts it through {@code prefix} (the namespace of Janus), talking to Janus' WebSocket API on
   * that namespace's loopback, and waits until it has connected to Janus; logs to {@code log}.
   */
  public static SimpleWhipServer start(List<String> prefix, Path log) throws IOException, InterruptedException {
    install();
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("node", SOURCE.resolve("server.js").toString()));
    LoggedProcess process = LoggedProcess.start("simple-whip-server", command, SOURCE,
        // DEBUG: its info lines ("Connected to Janus") and warnings are the debug package's.
        Map.of("NODE_PATH", DEPENDENCIES.resolve("node_modules").toString(), "DEBUG", "whip:*"), log);
    SimpleWhipServer server = new SimpleWhipServer(prefix, process);
    try {
      process.awaitLine("WHIP REST API listening", 0, Duration.ofSeconds(20));
      process.awaitLine("Connected to Janus", 0, Duration.ofSeconds(20));
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Debian's package unpacked into target/ and its npm dependencies installed, unless done before. */
  private static synchronized void install() throws IOException, InterruptedException {
    NodeModules.install(DEPENDENCIES, DEPENDENCIES.resolve("node_modules/express/package.json"));
    Path server = SOURCE.resolve("server.js");
    if (!Files.isRegularFile(server)) {
      Path download = Files.createTempDirectory("simple-whip-server-deb-");
      run(download, "apt-get", "download", "simple-whip-server");
      Path deb;
      try (Stream<Path> files = Files.list(download)) {
        deb = files.filter(file -> file.getFileName().toString().endsWith(".deb")).findFirst()
            .orElseThrow(() -> new AssertionError("apt-get download simple-whip-server gave no .deb in " + download));
      }
      Files.createDirectories(UNPACKED);
      run(download, "dpkg", "-x", deb.toString(), UNPACKED.toString());
      if (!Files.isRegularFile(server)) {
        throw new AssertionError("Debian's simple-whip-server package has no " + server);
      }
    }
    // The package's config.js is a link to /etc; this one points at Janus on the namespace's loopback.
    Path config = SOURCE.resolve("config.js");
    Files.deleteIfExists(config);
    Files.writeString(config, String.join("\n",
        "module.exports = {",
        "  janus: { address: 'ws://127.0.0.1:8188' },",
        "  port: " + PORT + ",",
        "  rest: '/whip',",
        "  allowTrickle: true,",
        "  strictETags: false,",
        "  iceServers: []",
        "};", ""), StandardCharsets.UTF_8);
  }

  private static void run(Path directory, String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("simple-whip-server-", ".log");
    Process process;
    try {
      process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(String.join(" ", command) + " cannot run (Debian's apt and dpkg are needed): "
          + e.getMessage());
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " took more than 2 minutes");
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "):\n"
          + Files.readString(output));
    }
    Files.deleteIfExists(output);
  }

  /**
   * Creates the WHIP endpoint {@code /whip/endpoint/ID} publishing into {@code room}, taking only
   * {@code token}; asked from inside the server's namespace (Node's fetch), as its operator would.
   */
  public void createEndpoint(String id, int room, String token) throws IOException, InterruptedException {
    String body = "{\"id\":\"" + id + "\",\"room\":" + room + ",\"token\":\"" + token + "\"}";
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("node", "-e", "fetch('http://127.0.0.1:" + PORT + "/whip/create', {method: 'POST', "
        + "headers: {'content-type': 'application/json'}, body: process.argv[1]})"
        + ".then(r => r.text().then(t => { console.log(r.status + ' ' + t); process.exit(r.ok ? 0 : 1); }),"
        + " e => { console.log(String(e)); process.exit(1); })", body));
    run(Path.of("."), command.toArray(String[]::new));
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
