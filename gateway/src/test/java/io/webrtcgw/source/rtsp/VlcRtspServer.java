package io.webrtcgw.source.rtsp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * VLC's RTSP server ({@code cvlc --sout '#rtp{sdp=rtsp://...}'}), a second implementation beside
 * GStreamer's: it broadcasts a looping file and serves RTP over UDP only (a TCP SETUP gets 461).
 * VLC refuses to run as root, so it runs as {@code nobody}, on a copy of the clip it can read.
 */
final class VlcRtspServer implements AutoCloseable {
  static final Path CVLC = Path.of("/usr/bin/cvlc");
  static final Path RUNUSER = Path.of("/usr/sbin/runuser");

  private final Process process;
  private final int port;

  private VlcRtspServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static VlcRtspServer start(Path clip, Path dir) throws IOException, InterruptedException {
    Assumptions.assumeTrue(Files.isExecutable(CVLC), "needs Debian's vlc-bin and vlc-plugin-base (cvlc)");
    Path shared = Files.createTempDirectory("gateway-vlc-");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path copy = Files.copy(clip, shared.resolve(clip.getFileName()));
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Process process = new ProcessBuilder(List.of(RUNUSER.toString(), "-u", "nobody", "--", CVLC.toString(),
        copy.toString(), "--loop", "--no-audio", "--sout", "#rtp{sdp=rtsp://127.0.0.1:" + port + "/cam}"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("vlc-" + port + ".log").toFile()).start();
    VlcRtspServer server = new VlcRtspServer(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!server.listening()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IOException("VLC's RTSP server did not start; see " + dir.resolve("vlc-" + port + ".log"));
      }
      // VLC gives no sign when it listens; connecting is the only check.
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    return server;
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "rtsp://127.0.0.1:" + port + "/cam";
  }

  /** Ends VLC and runuser, by their process ids. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
