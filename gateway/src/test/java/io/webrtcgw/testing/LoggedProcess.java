package io.webrtcgw.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A third-party daemon a test runs (Janus, simple-whip-server): its output goes to a log file, and
 * the test waits for lines of it. Killed or stopped by the test; {@link #close()} ends it in any case.
 */
public final class LoggedProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private LoggedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} in {@code directory} with {@code environment} added, logging to {@code log}. */
  public static LoggedProcess start(String name, List<String> command, Path directory, Map<String, String> environment,
      Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    return new LoggedProcess(name, process, log);
  }

  /** Waits until the log has a line containing {@code text}, at or after character {@code from}. */
  public void awaitLine(String text, long from, Duration timeout) {
    Await.until(() -> name + " to print '" + text + "'; its log ends:\n" + tail(),
        () -> output().indexOf(text, (int) Math.min(from, Integer.MAX_VALUE)) >= 0 || !process.isAlive(), timeout);
    if (output().indexOf(text, (int) Math.min(from, Integer.MAX_VALUE)) < 0) {
      throw new AssertionError(name + " exited (" + process.exitValue() + ") before printing '" + text + "':\n" + tail());
    }
  }

  /** How much it has logged so far, for {@link #awaitLine} to look only past it. */
  public long logged() {
    return output().length();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String tail() {
    String out = output();
    return out.substring(Math.max(0, out.length() - 3000));
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash: nothing is closed cleanly. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not die of SIGKILL within 10 s");
    }
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
