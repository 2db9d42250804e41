package io.webrtcgw.source.h264;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decoder process ({@link DecodeWorker}) and the gateway's end of its pipes: requests go out
 * on its standard input, and a reader thread takes its answers off its standard output, so that
 * waiting for one can be bounded. Used by one stream's decoder at a time.
 */
final class DecoderProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecoderProcess.class);

  /** What the process answered to one unit, or that it is gone. */
  sealed interface Answer permits Picture, NoPicture, Damaged, Unsupported, Gone {}

  record Picture(DecodedPicture picture) implements Answer {}

  record NoPicture() implements Answer {}

  record Damaged(String reason) implements Answer {}

  record Unsupported(String reason) implements Answer {}

  record Gone(String reason) implements Answer {}

  private final Process process;
  private final DataOutputStream requests;
  private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
  private final long startedNanos = System.nanoTime();
  private volatile boolean ended;

  DecoderProcess(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    this.process = builder.start();
    this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
    Thread reader = new Thread(this::readAnswers, "decoder-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return !ended && process.isAlive();
  }

  /** How long ago the process was started. */
  Duration age() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  void open(StreamDecoder.Spec spec) throws IOException {
    requests.writeInt(SandboxProtocol.OPEN);
    requests.writeInt(spec.rotation().ordinal());
    SandboxProtocol.writeUnits(requests, spec.sps());
    SandboxProtocol.writeUnits(requests, spec.pps());
    requests.flush();
  }

  /** Sends one unit and waits at most {@code budget} for the answer; null when none came in time. */
  Answer decode(List<ByteBuffer> units, long pts, Duration budget) throws InterruptedException {
    answers.clear();
    try {
      requests.writeInt(SandboxProtocol.DECODE);
      requests.writeLong(pts);
      SandboxProtocol.writeUnits(requests, units);
      requests.flush();
    } catch (IOException e) {
      return new Gone("cannot reach the decoder process: " + e.getMessage());
    }
    return answers.poll(budget.toNanos(), TimeUnit.NANOSECONDS);
  }

  void reset() {
    try {
      requests.writeInt(SandboxProtocol.RESET);
      requests.flush();
    } catch (IOException e) {
      log.debug("decoder process {}: reset not sent: {}", process.pid(), e.toString());
    }
  }

  private void readAnswers() {
    DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    try {
      while (true) {
        int type = in.readInt();
        Answer answer = switch (type) {
          case SandboxProtocol.PICTURE -> new Picture(SandboxProtocol.readPicture(in));
          case SandboxProtocol.NO_PICTURE -> {
            in.readLong();
            yield new NoPicture();
          }
          case SandboxProtocol.DAMAGED -> new Damaged(in.readUTF());
          case SandboxProtocol.UNSUPPORTED -> new Unsupported(in.readUTF());
          default -> throw new IOException("unknown answer " + type);
        };
        answers.add(answer);
      }
    } catch (EOFException e) {
      answers.add(new Gone("the decoder process ended" + exitCode()));
    } catch (IOException e) {
      answers.add(new Gone("the decoder process broke off: " + e.getMessage()));
    } finally {
      ended = true;
    }
  }

  private String exitCode() {
    try {
      if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
        return " (exit code " + process.exitValue() + ")";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  /** Ends the process at once, whatever it is doing. */
  void kill() {
    ended = true;
    process.destroyForcibly();
  }

  /** Lets the process end by itself (its input closes), then makes sure it has. */
  @Override
  public void close() {
    ended = true;
    try {
      requests.close();
    } catch (IOException ignored) {
      // a process that is already gone has nothing left to read
    }
    try {
      if (!process.waitFor(1, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
