package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real gateway as a process of its own ({@code java -jar gateway.jar --config FILE}), so that
 * its CPU and memory are its own; its log is kept in a file and scanned for what the benchmark
 * reads from it.
 */
final class GatewayProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SERVING = Pattern.compile("serving on http://[^:]+:(\\d+)/");
  private static final Pattern HEAP_RANGE = Pattern.compile("heap\\s+total \\d+K, used \\d+K \\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
  private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");
  private static final Pattern HEALTH_SESSIONS = Pattern.compile("\"sessions\"\\s*:\\s*(\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern FIRST_PACKET = Pattern.compile(
      "session (\\w+): first media packet sent (\\d+) ms after the offer"
          + "(?: \\(answer (-?\\d+) ms, ICE connected (-?\\d+) ms, DTLS (-?\\d+) ms\\))?");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final int port;
  private boolean measured;

  private GatewayProcess(Process process, Path log, Duration startTimeout) throws Exception {
    this.process = process;
    Thread reader = new Thread(() -> pump(log), "gateway-log");
    reader.setDaemon(true);
    reader.start();
    this.port = awaitPort(startTimeout);
  }

  /**
   * Starts {@code jar} serving one stream named {@code stream} from {@code source}; {@code
   * alwaysOn} keeps the source running with no viewer, so that 0 viewers measures the source.
   */
  static GatewayProcess start(Path jar, Path workDir, String label, String stream, String source, boolean alwaysOn)
      throws Exception {
    return start(jar, workDir, label, java.util.Map.of(stream, source), alwaysOn);
  }

  /** As {@link #start(Path, Path, String, String, String, boolean)} with several streams, by name. */
  static GatewayProcess start(Path jar, Path workDir, String label, java.util.Map<String, String> sources,
      boolean alwaysOn) throws Exception {
    ObjectNode config = JSON.createObjectNode().put("host", "127.0.0.1").put("port", 0);
    var streams = config.putArray("streams");
    new java.util.TreeMap<>(sources).forEach((stream, source) ->
        streams.addObject().put("name", stream).put("source", source).put("alwaysOn", alwaysOn));
    config.putObject("limits").put("maxViewers", 500);
    Path configFile = workDir.resolve(label + ".json");
    Files.writeString(configFile, config.toPrettyString());
    return startConfig(jar, workDir, label, configFile);
  }

  /**
   * Starts {@code jar} on a config file of the caller's, as deployed (README "Memory"); with no
   * jar, the gateway's main class on this JVM's class path.
   */
  static GatewayProcess startConfig(Path jar, Path workDir, String label, Path configFile) throws Exception {
    List<String> command = jar == null
        ? List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), io.webrtcgw.Main.class.getName(), "--config", configFile.toString())
        : List.of("java", "-jar", jar.toString(), "--config", configFile.toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true);
    builder.environment().putAll(io.webrtcgw.testing.GatewayProcess.MALLOC_SETTINGS);
    return new GatewayProcess(builder.start(), workDir.resolve(label + ".log"), Duration.ofSeconds(60));
  }

  /** Whether a measurement has been taken on this gateway yet. */
  boolean measured() {
    return measured;
  }

  void markMeasured() {
    measured = true;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  ProcStat stat() throws IOException {
    return ProcStat.of(pid());
  }

  /**
   * How much of the gateway's RSS is its Java heap: the resident pages of the mappings inside the
   * heap's address range (from {@code jcmd PID GC.heap_info}) in /proc/PID/smaps, or -1 without
   * jcmd. Committed heap is not all resident, so the committed size would not do. RSS minus this
   * is what libwebrtc, thread stacks and the JVM's other parts hold.
   */
  long heapResidentKiB() {
    try {
      Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid()), "GC.heap_info").redirectErrorStream(true).start();
      String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(10, TimeUnit.SECONDS);
      Matcher range = HEAP_RANGE.matcher(output);
      if (!range.find()) {
        return -1;
      }
      long from = Long.parseUnsignedLong(range.group(1), 16);
      long to = Long.parseUnsignedLong(range.group(2), 16);
      long resident = 0;
      boolean inHeap = false;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/smaps"))) {
        Matcher mapping = MAPPING.matcher(line);
        if (mapping.find()) {
          long start = Long.parseUnsignedLong(mapping.group(1), 16);
          long end = Long.parseUnsignedLong(mapping.group(2), 16);
          inHeap = start >= from && end <= to;
        } else if (inHeap && line.startsWith("Rss:")) {
          resident += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
      }
      return resident;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The log lines so far that {@code matches} accepts. */
  List<String> lines(java.util.function.Predicate<String> matches) {
    synchronized (lines) {
      return lines.stream().filter(matches).toList();
    }
  }

  /**
   * One session's way to its first media packet, each step in ms after its offer arrived; -1 for a
   * step the gateway did not log (a build from before it named them).
   */
  record FirstPacket(long packet, long answer, long iceConnected, long dtls) {}

  /** Every session's first packet the gateway logged, in order. */
  List<FirstPacket> firstPackets() {
    List<FirstPacket> out = new ArrayList<>();
    synchronized (lines) {
      for (String line : lines) {
        Matcher m = FIRST_PACKET.matcher(line);
        if (m.find()) {
          out.add(new FirstPacket(Long.parseLong(m.group(2)), step(m.group(3)), step(m.group(4)), step(m.group(5))));
        }
      }
    }
    return out;
  }

  private static long step(String millis) {
    return millis == null ? -1 : Long.parseLong(millis);
  }

  /** Offer-to-first-packet times the gateway logged, in order. */
  List<Long> firstPacketMillis() {
    return firstPackets().stream().map(FirstPacket::packet).toList();
  }

  private void pump(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        file.println(line);
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private int awaitPort(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = SERVING.matcher(lines.get(seen));
          if (m.find()) {
            return Integer.parseInt(m.group(1));
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (!process.isAlive() || left <= 0) {
          throw new IllegalStateException("the gateway did not start: " + String.join("\n", lines));
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  /** The session count the gateway on {@code port} reports in {@code /healthz}, or -1 if it names none. */
  static int sessions(int port) throws IOException, InterruptedException {
    String body = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = HEALTH_SESSIONS.matcher(body);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Waits until the gateway on {@code port} has {@code count} sessions; /healthz has no event to wait on. */
  static void awaitSessions(int port, int count, Duration timeout) {
    int[] last = {-1};
    Await.until(() -> count + " sessions on the gateway, last seen " + last[0], () -> {
      try {
        last[0] = sessions(port);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return last[0] == count;
    }, timeout);
  }

  /** SIGTERM, the gateway's graceful stop; then a hard kill if it hangs. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
