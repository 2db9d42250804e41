package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The benchmark's end of a {@link LoadClient} process: commands in, JSON replies out. */
final class LoadProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final PrintWriter commands;
  private final LinkedBlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();

  private LoadProcess(Process process) {
    this.process = process;
    this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread reader = new Thread(this::pump, "load-replies");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a load client on this JVM's own class path (the test class path).
   *
   * @param extra e.g. {@code --codec H264 --viewport 320x180}
   */
  static LoadProcess start(int port, String stream, List<String> extra, Path log) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-cp", System.getProperty("java.class.path"),
        LoadClient.class.getName(), "--port", String.valueOf(port), "--stream", stream));
    command.addAll(extra);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    LoadProcess load = new LoadProcess(process);
    load.await("ready", Duration.ofSeconds(30));
    return load;
  }

  long pid() {
    return process.pid();
  }

  ProcStat stat() throws IOException {
    return ProcStat.of(pid());
  }

  /** Adds {@code count} viewers and waits until all are connected; returns the new total. */
  int add(int count) throws Exception {
    commands.println("add " + count);
    return await("added", Duration.ofSeconds(30L + 10L * count)).path("viewers").asInt();
  }

  /** Closes the {@code count} most recent viewers; returns the new total. */
  int remove(int count) throws Exception {
    commands.println("remove " + count);
    return await("removed", Duration.ofSeconds(60)).path("viewers").asInt();
  }

  JsonNode stats() throws Exception {
    commands.println("stats");
    return await("stats", Duration.ofSeconds(30));
  }

  private JsonNode await(String event, Duration timeout) throws Exception {
    JsonNode reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (reply == null) {
      throw new IllegalStateException("the load client sent no '" + event + "' within " + timeout.toSeconds() + " s");
    }
    if (!event.equals(reply.path("event").asText())) {
      throw new IllegalStateException("the load client answered " + reply + " instead of '" + event + "'");
    }
    return reply;
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        try {
          replies.add(JSON.readTree(line));
        } catch (IOException e) {
          replies.add(JSON.createObjectNode().put("event", "garbage").put("line", line));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  @Override
  public void close() throws InterruptedException {
    commands.println("quit");
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
