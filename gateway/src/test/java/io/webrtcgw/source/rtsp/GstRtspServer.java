package io.webrtcgw.source.rtsp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * GStreamer's RTSP server (gst-rtsp-server through python3-gi), run by {@code rtsp/serve.py} from
 * the test resources as a process of its own on loopback. Killing and starting it again on the
 * same port plays a camera restart.
 */
public final class GstRtspServer implements AutoCloseable {
  public static final Path PYTHON = Path.of("/usr/bin/python3");

  private final List<String> arguments;
  private Process process;
  private int port;

  private GstRtspServer(List<String> arguments) {
    this.arguments = arguments;
  }

  /** Starts {@code serve.py} with {@code arguments} (see its --help) on a free port. */
  public static GstRtspServer start(String... arguments) throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(PYTHON),
        "needs Debian's /usr/bin/python3 with python3-gi and gir1.2-gst-rtsp-server-1.0");
    GstRtspServer server = new GstRtspServer(List.of(arguments));
    server.launch(0);
    return server;
  }

  public static Path script() {
    URL resource = GstRtspServer.class.getClassLoader().getResource("rtsp/serve.py");
    if (resource == null) {
      throw new IllegalStateException("rtsp/serve.py is missing from the test resources");
    }
    try {
      return Path.of(resource.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void launch(int wantedPort) throws IOException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script().toString(), "--port",
        String.valueOf(wantedPort)));
    command.addAll(arguments);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      try {
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("READY ")) {
            return line;
          }
          seen.append(line).append('\n');
        }
        return "EXITED " + seen;
      } catch (IOException e) {
        return "EXITED " + e;
      }
    });
    String line;
    try {
      line = ready.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("GStreamer's RTSP server did not start within 20 s: " + e);
    }
    if (!line.startsWith("READY ")) {
      throw new IOException("GStreamer's RTSP server did not start: " + line);
    }
    port = Integer.parseInt(line.substring(6).trim());
    // Keep draining its output, so that a chatty GStreamer never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // discarded
        }
      } catch (IOException ignored) {
        // The process ended.
      }
    }, "gst-rtsp-server-output");
    drain.setDaemon(true);
    drain.start();
  }

  public int port() {
    return port;
  }

  /** {@code rtsp://[login@]127.0.0.1:PORT/cam}; {@code login} as written into the URL, or null. */
  public String url(String login) {
    return "rtsp://" + (login == null ? "" : login + "@") + "127.0.0.1:" + port + "/cam";
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  /** Kills the server at once (SIGKILL), as a camera losing power. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Freezes the server (SIGSTOP): it stops sending, its sockets stay open, as a hung camera. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("/bin/kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Starts it again on the same port. */
  public void restart() throws IOException {
    launch(port);
  }

  @Override
  public void close() {
    kill();
  }
}
