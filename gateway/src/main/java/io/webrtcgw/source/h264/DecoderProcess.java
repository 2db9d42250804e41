package io.webrtcgw.source.h264;

import io.webrtcgw.source.FrameBuffer;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decoder process ({@link DecodeWorker}) and the gateway's end of its socket: requests go out
 * from the lanes' threads, and a reader thread takes the answers in, each into the buffer its lane
 * gave for it, so that waiting for one can be bounded. Its lanes belong to one stream.
 */
final class DecoderProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecoderProcess.class);
  /** How long a new process may take to start its JVM and connect; a loaded machine is slow at it. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** What the process answered to one unit, or that it is gone. */
  sealed interface Answer permits Picture, NoPicture, Damaged, Unsupported, Gone {}

  /**
   * A picture, in the buffer the lane gave or (another size) in a new one.
   *
   * @param processCopied bytes the process copied making it (JCodec's planes to its socket)
   * @param gatewayCopied bytes copied here: the socket reads straight into the buffer's direct
   *     memory, but what came in with the answer's header passes through the channel's own buffer
   */
  record Picture(FrameBuffer buffer, long pts, long processCopied, long gatewayCopied) implements Answer {}

  record NoPicture() implements Answer {}

  record Damaged(String reason) implements Answer {}

  record Unsupported(String reason) implements Answer {}

  record Gone(String reason) implements Answer {}

  private final Process process;
  private final Path socketPath;
  private final ServerSocketChannel server;
  private final CompletableFuture<SandboxChannel> connection = new CompletableFuture<>();
  private final Object writeLock = new Object();
  private final LaneSlot[] lanes = new LaneSlot[SandboxProtocol.MAX_LANES];
  private final long startedNanos = System.nanoTime();
  private final Thread reader;
  private volatile boolean ended;

  /**
   * Starts {@code command} with the path of a socket in {@code socketDirectory} appended (and
   * {@code extraArguments} after it), and waits for it to connect in the background.
   */
  DecoderProcess(List<String> command, Path socketDirectory, List<String> extraArguments) throws IOException {
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new LaneSlot();
    }
    this.socketPath = Files.createTempFile(socketDirectory, "decoder-", ".sock");
    Files.delete(socketPath);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socketPath));
      List<String> full = new ArrayList<>(command);
      full.add(socketPath.toString());
      full.addAll(extraArguments);
      ProcessBuilder builder = new ProcessBuilder(full)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      this.process = builder.start();
      process.getOutputStream().close();
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(socketPath);
      throw e;
    }
    this.reader = new Thread(this::run, "decoder-" + process.pid());
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

  /** Gives {@code lane} a decoder for {@code spec}'s stream, waiting for the process to connect. */
  void open(int lane, StreamDecoder.Spec spec) throws IOException {
    SandboxChannel channel = connected();
    synchronized (writeLock) {
      channel.writeInt(SandboxProtocol.OPEN);
      channel.writeInt(lane);
      channel.writeInt(spec.rotation().ordinal());
      SandboxProtocol.writeUnits(channel, spec.sps());
      SandboxProtocol.writeUnits(channel, spec.pps());
      channel.flush();
    }
  }

  /**
   * Sends one unit for {@code lane} and waits at most {@code budget} for the answer, its picture
   * read into {@code into} when the size fits; null when none came in time.
   */
  Answer decode(int lane, List<ByteBuffer> units, long pts, FrameBuffer into, Duration budget)
      throws InterruptedException {
    return decode(lane, units, pts, into, 0, budget);
  }

  /** As the other, decoding only for the lane's references: answers {@link NoPicture} when it goes well. */
  Answer decodeReference(int lane, List<ByteBuffer> units, long pts, Duration budget) throws InterruptedException {
    return decode(lane, units, pts, null, SandboxProtocol.DISCARD, budget);
  }

  private Answer decode(int lane, List<ByteBuffer> units, long pts, FrameBuffer into, int flags, Duration budget)
      throws InterruptedException {
    LaneSlot slot = lanes[lane];
    slot.answers.clear();
    slot.into = into;
    try {
      SandboxChannel channel = connected();
      synchronized (writeLock) {
        channel.writeInt(SandboxProtocol.DECODE);
        channel.writeInt(lane);
        channel.writeLong(pts);
        channel.writeInt(flags);
        SandboxProtocol.writeUnits(channel, units);
        channel.flush();
      }
    } catch (IOException e) {
      return new Gone("cannot reach the decoder process: " + e.getMessage());
    }
    return slot.answers.poll(budget.toNanos(), TimeUnit.NANOSECONDS);
  }

  void reset(int lane) {
    try {
      SandboxChannel channel = connected();
      synchronized (writeLock) {
        channel.writeInt(SandboxProtocol.RESET);
        channel.writeInt(lane);
        channel.flush();
      }
    } catch (IOException e) {
      log.debug("decoder process {}: reset not sent: {}", process.pid(), e.toString());
    }
  }

  private SandboxChannel connected() throws IOException {
    try {
      return connection.get(CONNECT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the decoder process did not connect within " + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the decoder process");
    }
  }

  private void run() {
    SandboxChannel channel;
    try {
      channel = accept();
    } catch (IOException e) {
      connection.completeExceptionally(e);
      end(new Gone("the decoder process never connected: " + e.getMessage()));
      return;
    }
    if (!connection.complete(channel)) {
      // Ended while it was connecting.
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was sent on it
      }
      end(new Gone("the decoder process was ended"));
      return;
    }
    try {
      while (true) {
        int type = channel.readInt();
        LaneSlot slot = lanes[SandboxProtocol.lane(channel.readInt())];
        Answer answer = switch (type) {
          case SandboxProtocol.PICTURE -> readPicture(channel, slot.into);
          case SandboxProtocol.NO_PICTURE -> {
            channel.readLong();
            yield new NoPicture();
          }
          case SandboxProtocol.DAMAGED -> new Damaged(channel.readUtf());
          case SandboxProtocol.UNSUPPORTED -> new Unsupported(channel.readUtf());
          default -> throw new IOException("unknown answer " + type);
        };
        slot.answers.add(answer);
      }
    } catch (EOFException e) {
      end(new Gone("the decoder process ended" + exitCode()));
    } catch (IOException e) {
      end(new Gone(ended ? "the decoder process was ended" : "the decoder process broke off: " + e.getMessage()));
    } finally {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the process is gone either way
      }
    }
  }

  /** Waits for the process to connect, or to die first. */
  private SandboxChannel accept() throws IOException {
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    try (Selector selector = Selector.open()) {
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      while (true) {
        SocketChannel accepted = server.accept();
        if (accepted != null) {
          accepted.configureBlocking(true);
          return new SandboxChannel(accepted);
        }
        if (ended || !process.isAlive()) {
          throw new IOException("it ended while starting" + exitCode());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("it did not connect within " + CONNECT_TIMEOUT.toSeconds() + " s");
        }
        selector.select(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
        selector.selectedKeys().clear();
      }
    } finally {
      server.close();
      Files.deleteIfExists(socketPath);
    }
  }

  private Picture readPicture(SandboxChannel channel, FrameBuffer into) throws IOException {
    long pts = channel.readLong();
    int width = channel.readInt();
    int height = channel.readInt();
    SandboxProtocol.checkSize(width, height);
    long processCopied = channel.readLong();
    FrameBuffer target = into != null && into.width() == width && into.height() == height
        ? into
        : FrameBuffer.allocate(width, height);
    long copied = channel.readFully(target.planes());
    return new Picture(target, pts, processCopied, copied);
  }

  private void end(Gone gone) {
    ended = true;
    for (LaneSlot slot : lanes) {
      slot.answers.add(gone);
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

  /**
   * Ends the process at once, whatever it is doing, and waits (briefly) for the reader to stop:
   * once this returns, no buffer a lane gave for a picture is written any more.
   */
  void kill() {
    ended = true;
    process.destroyForcibly();
    closeSocket();
    if (Thread.currentThread() != reader) {
      try {
        reader.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeSocket() {
    connection.completeExceptionally(new IOException("the decoder process was ended"));
    SandboxChannel channel = connection.exceptionally(e -> null).getNow(null);
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** Lets the process end by itself (its socket closes), then makes sure it has. */
  @Override
  public void close() {
    ended = true;
    closeSocket();
    try {
      if (!process.waitFor(1, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** What one lane waits for: its answers, and where its next picture goes. */
  private static final class LaneSlot {
    final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    volatile FrameBuffer into;
  }
}
