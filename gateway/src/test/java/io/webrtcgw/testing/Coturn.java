package io.webrtcgw.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's coturn as a child process on loopback, with the REST shared-secret scheme. Ready once
 * it answers a STUN binding request; stopped with SIGTERM (then killed) by {@link #close()}.
 */
public final class Coturn implements AutoCloseable {
  public static final Path TURNSERVER = Path.of(System.getProperty("gateway.turnserver", "/usr/bin/turnserver"));

  private final Process process;
  private final int port;
  private final List<String> log = new ArrayList<>();
  private final Thread reader;

  private Coturn(Process process, int port) {
    this.process = process;
    this.port = port;
    this.reader = new Thread(this::readLog, "coturn-log");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts coturn on a free loopback port; skips the test when coturn is not installed. */
  public static Coturn start(String secret, Path workDir) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(TURNSERVER),
        "Debian's coturn is required (apt-get install coturn)");
    int port = freeUdpPort();
    int relayBase = ThreadLocalRandom.current().nextInt(50000, 60000);
    List<String> command = List.of(TURNSERVER.toString(),
        "-n", "--no-cli", "--no-tls", "--no-dtls",
        "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
        "--min-port=" + relayBase, "--max-port=" + (relayBase + 200),
        "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=gateway.test",
        // coturn refuses to relay to loopback peers unless told to; fine on a test machine only.
        "--allow-loopback-peers",
        "--userdb=" + workDir.resolve("turndb"), "--pidfile=" + workDir.resolve("turnserver.pid"),
        "--log-file=stdout", "--simple-log", "--verbose");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    Coturn coturn = new Coturn(process, port);
    try {
      coturn.awaitReady(Duration.ofSeconds(20));
    } catch (Exception | AssertionError e) {
      coturn.close();
      throw e;
    }
    return coturn;
  }

  public int port() {
    return port;
  }

  /** What coturn has logged so far. */
  public synchronized String log() {
    return String.join("\n", log);
  }

  private void readLog() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (this) {
          if (log.size() < 20_000) {
            log.add(line);
          }
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Sends STUN binding requests until one is answered. */
  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(200);
      byte[] request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0)
          .putInt(0x2112A442).putLong(ThreadLocalRandom.current().nextLong()).putInt(7).array();
      byte[] buffer = new byte[1500];
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new AssertionError("coturn exited with " + process.exitValue() + ":\n" + log());
        }
        socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
        try {
          DatagramPacket response = new DatagramPacket(buffer, buffer.length);
          socket.receive(response);
          if (response.getLength() >= 20 && buffer[0] == 0x01 && buffer[1] == 0x01) {
            return;
          }
        } catch (SocketTimeoutException e) {
          // not listening yet; ask again
        }
      }
    }
    throw new AssertionError("coturn did not answer STUN on 127.0.0.1:" + port + " within " + timeout.toMillis()
        + " ms:\n" + log());
  }

  private static int freeUdpPort() throws IOException {
    // coturn listens on UDP and TCP; a port free for both is picked from a random high range.
    for (int i = 0; i < 50; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(30000, 40000);
      try (DatagramSocket udp = new DatagramSocket(candidate, InetAddress.getLoopbackAddress());
          java.net.ServerSocket tcp = new java.net.ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return udp.getLocalPort() == tcp.getLocalPort() ? candidate : -1;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port for coturn");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(2000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
