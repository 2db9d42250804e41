package io.webrtcgw.testing;

import io.webrtcgw.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link Main} in a child JVM on the test classpath, optionally behind a command prefix
 * such as {@code ip netns exec NAME}. Its log lines are collected so tests can wait on them.
 */
public final class GatewayProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayProcess.class);
  private static final Pattern SERVING = Pattern.compile("serving on http://[^ ]*:(\\d+)/");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;
  private boolean ended; // guarded by lines: the output reached its end

  private GatewayProcess(Process process, String name) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "gateway-output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code prefix java -Xmx256m -cp <test classpath> io.webrtcgw.Main args}. */
  public static GatewayProcess start(List<String> prefix, List<String> args) throws IOException {
    return start(prefix, List.of("-Xmx256m"), args);
  }

  /** Starts {@code prefix java jvmOptions -cp <test classpath> io.webrtcgw.Main args}. */
  public static GatewayProcess start(List<String> prefix, List<String> jvmOptions, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // As deploy/gateway.service runs it: glibc's per-thread malloc arenas fragment under
    // libwebrtc's thread churn and make resident memory drift up by several MB per 100 sessions.
    builder.environment().put("MALLOC_ARENA_MAX", "2");
    Process process = builder.start();
    process.getOutputStream().close();
    return new GatewayProcess(process, String.valueOf(process.pid()));
  }

  public Process process() {
    return process;
  }

  /**
   * Sends SIGTERM. Through the process handle, because {@code Process.destroy()} also closes this
   * side of the output pipe, and the gateway's last lines would be lost.
   */
  public void terminate() {
    if (!process.toHandle().destroy()) {
      throw new AssertionError("could not send SIGTERM to the gateway");
    }
  }

  /** Waits for the "serving on" line and returns the port it names. */
  public int awaitServing(Duration timeout) throws InterruptedException {
    Matcher matcher = SERVING.matcher(awaitLine("the gateway to serve", line -> SERVING.matcher(line).find(), timeout));
    if (!matcher.find()) {
      throw new AssertionError("no port in the serving line");
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** The first output line, from the start, that matches; fails if none does in time. */
  public String awaitLine(String what, Predicate<String> matches, Duration timeout) throws InterruptedException {
    return awaitLines(what, matches, 1, timeout).get(0);
  }

  /** Waits until at least {@code count} output lines match and returns all that do. */
  public List<String> awaitLines(String what, Predicate<String> matches, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        List<String> found = lines.stream().filter(matches).toList();
        if (found.size() >= count) {
          return found;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || ended) {
          throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + " (" + found.size()
              + " of " + count + " lines); the gateway printed:\n" + String.join("\n", lines));
        }
        lines.wait(left);
      }
    }
  }

  /** Every output line so far that matches. */
  public List<String> lines(Predicate<String> matches) {
    synchronized (lines) {
      return lines.stream().filter(matches).toList();
    }
  }

  /** Waits for the process to exit and returns its exit code; fails if it is still running. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the gateway did not exit within " + timeout.toMillis() + " ms");
    }
    return process.exitValue();
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.info("[gateway {}] {}", process.pid(), line);
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      log.debug("gateway output closed: {}", e.toString());
    } finally {
      synchronized (lines) {
        ended = true;
        lines.notifyAll();
      }
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(TimeUnit.SECONDS.toMillis(5));
  }
}
