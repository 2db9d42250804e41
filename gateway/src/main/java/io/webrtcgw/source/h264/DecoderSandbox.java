package io.webrtcgw.source.h264;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each stream's H.264 decoding in a process of its own, which can be ended when a decode
 * overruns its budget. JCodec 0.2.5 loops forever on some damaged input (measured: about one
 * damaged CABAC picture in fifteen spins in its {@code mb_qp_delta} loop), never checks for
 * interruption, and a Java thread cannot be stopped from Java 20 on; a process can always be
 * ended, on any Java, with nothing of the gateway's inside it.
 *
 * <p>One warmed-up process waits as a spare, so that a stream starting does not wait for a JVM to
 * start and its JIT to warm up; the stream that takes it leaves a new spare starting behind.
 *
 * <p>A stream may decode several GOPs at once ({@link #openLanes}): its lanes share one process,
 * each with a JCodec decoder and a thread of its own there, which costs far less memory than a
 * process per lane (a decoder process is mostly its JVM). Pictures leave a process through a
 * Unix-domain socket in a directory only this user can enter, read straight into the stream's
 * buffers.
 */
public final class DecoderSandbox implements StreamDecoder.Factory, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecoderSandbox.class);

  /** How long a stream waits for a spare that is starting rather than start a process of its own. */
  private static final long SPARE_PATIENCE_NANOS = 2_000_000_000L;

  private final List<String> command;
  private final List<String> spareArguments;
  private Path socketDirectory; // guarded by lock
  private final ExecutorService spawner = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "decoder-spawner");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<DecoderProcess> processes = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private DecoderProcess spare; // guarded by lock
  private boolean spawning; // guarded by lock: a spare is starting
  private boolean closed; // guarded by lock

  /**
   * @param command the decoder process's command line ({@link #javaCommand()} outside tests); the
   *     socket's path is appended to it
   * @param spareArguments appended after the socket's path for a spare process
   */
  DecoderSandbox(List<String> command, List<String> spareArguments) {
    this.command = List.copyOf(command);
    this.spareArguments = List.copyOf(spareArguments);
  }

  /** A sandbox whose processes are this JVM's java on this JVM's class path, with a spare starting. */
  public static DecoderSandbox start() {
    DecoderSandbox sandbox = create();
    sandbox.prepareSpare();
    return sandbox;
  }

  /** A sandbox as {@link #start()} makes, but with no process until {@link #prepareSpare} or a stream asks. */
  public static DecoderSandbox create() {
    return new DecoderSandbox(javaCommand(), List.of("--warm"));
  }

  /** Starts the spare process (in the background), so that the first stream does not wait for one. */
  public void prepareSpare() {
    spawnSpare();
  }

  /**
   * This JVM's java, small and quick to start: the serial collector (one decoding thread needs no
   * more), a heap that only grows as far as pictures need, and an exit on running out of memory
   * rather than a process left half-working.
   */
  static List<String> javaCommand() {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java,
        "-XX:+UseSerialGC", "-Xms16m", "-Xmx320m", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=48m",
        "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
        "-cp", System.getProperty("java.class.path"), DecodeWorker.class.getName()));
    return command;
  }

  @Override
  public StreamDecoder open(StreamDecoder.Spec spec) {
    return SandboxedDecoder.open(this, spec, 1).get(0);
  }

  /** {@code lanes} decoders of one stream on threads of one process (at most 16). */
  @Override
  public List<StreamDecoder> openLanes(StreamDecoder.Spec spec, int lanes) {
    return SandboxedDecoder.open(this, spec, lanes);
  }

  /**
   * A process for a stream: the spare, waiting for it a moment if it is starting (a JVM is quicker
   * to finish starting than to start), else a new one; a new spare starts behind it.
   */
  DecoderProcess take() throws IOException {
    DecoderProcess taken;
    synchronized (lock) {
      long deadline = System.nanoTime() + SPARE_PATIENCE_NANOS;
      while (spawning && (spare == null || !spare.alive()) && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for a decoder process");
        }
      }
      if (closed) {
        throw new IOException("the decoder sandbox is closed");
      }
      taken = spare != null && spare.alive() ? spare : null;
      spare = null;
    }
    if (taken == null) {
      taken = spawn();
    }
    spawnSpare();
    return taken;
  }

  /** A process the stream is done with. */
  void release(DecoderProcess process, boolean kill) {
    processes.remove(process);
    if (kill) {
      process.kill();
    } else {
      process.close();
    }
  }

  private DecoderProcess spawn() throws IOException {
    DecoderProcess process = new DecoderProcess(command, socketDirectory(), spareArguments);
    processes.add(process);
    synchronized (lock) {
      if (closed) {
        release(process, true);
        throw new IOException("the decoder sandbox is closed");
      }
    }
    log.debug("started decoder process {}", process.pid());
    return process;
  }

  private void spawnSpare() {
    try {
      spawner.execute(() -> {
        synchronized (lock) {
          if (closed || (spare != null && spare.alive())) {
            return;
          }
          spawning = true;
        }
        DecoderProcess fresh = null;
        try {
          fresh = spawn();
        } catch (IOException e) {
          synchronized (lock) {
            if (!closed) {
              log.warn("cannot start a spare decoder process: {}", e.getMessage());
            }
          }
        }
        synchronized (lock) {
          spawning = false;
          if (fresh != null) {
            if (closed || spare != null) {
              release(fresh, false);
            } else {
              spare = fresh;
            }
          }
          lock.notifyAll();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** Where the processes' sockets are made: a directory of this sandbox's own, for this user only. */
  private Path socketDirectory() throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new IOException("the decoder sandbox is closed");
      }
      if (socketDirectory == null) {
        socketDirectory = Files.createTempDirectory("gateway-decoders-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      return socketDirectory;
    }
  }

  /** Decoder processes running now, the spare among them. */
  public int processes() {
    processes.removeIf(process -> !process.alive());
    return processes.size();
  }

  /** Ends every decoder process, the spare's too. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      spare = null;
    }
    spawner.shutdownNow();
    try {
      spawner.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (DecoderProcess process : List.copyOf(processes)) {
      release(process, false);
    }
    Path directory;
    synchronized (lock) {
      directory = socketDirectory;
    }
    if (directory != null) {
      try (var entries = Files.walk(directory)) {
        for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(entry);
        }
      } catch (IOException | UncheckedIOException e) {
        log.debug("cannot remove {}: {}", directory, e.toString());
      }
    }
  }
}
