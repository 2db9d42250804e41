package io.webrtcgw.source.rtsp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hop with loss between a real RTSP server and the client, on loopback: relays the RTSP
 * connection unchanged except for the client's UDP ports in SETUP, which it replaces with its own,
 * and forwards the RTP it receives there to the client's ports, dropping every {@code dropEvery}th
 * packet and swapping some neighbours, as a lossy network would. Counts the TCP connections it
 * relays, so tests can see how often a client reconnects.
 */
final class LossyRelay implements AutoCloseable {
  private static final Pattern CLIENT_PORT = Pattern.compile("client_port=(\\d+)-(\\d+)");

  private final int upstreamPort;
  private final int dropEvery;
  private final boolean swap;
  private final ServerSocket listener;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param dropEvery drop one RTP packet in this many (0: none; 1: all)
   * @param swap whether to deliver some neighbouring packets in the wrong order
   */
  LossyRelay(int upstreamPort, int dropEvery, boolean swap) throws IOException {
    this.upstreamPort = upstreamPort;
    this.dropEvery = dropEvery;
    this.swap = swap;
    this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "lossy-relay-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  String url(String path) {
    return "rtsp://127.0.0.1:" + port() + path;
  }

  int connections() {
    return connections.get();
  }

  long forwarded() {
    return forwarded.get();
  }

  long dropped() {
    return dropped.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        connections.incrementAndGet();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        track(client);
        track(server);
        start("lossy-relay-down", () -> pump(server.getInputStream(), client.getOutputStream(), client, server));
        start("lossy-relay-up", () -> rewriteRequests(client, server));
      } catch (IOException e) {
        return;
      }
    }
  }

  private synchronized void track(AutoCloseable closeable) {
    open.add(closeable);
  }

  private interface Body {
    void run() throws IOException;
  }

  private static void start(String name, Body body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (IOException ignored) {
        // One side went away; the other is closed below.
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void pump(InputStream in, OutputStream out, Socket a, Socket b) throws IOException {
    try (a; b) {
      byte[] buffer = new byte[65536];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }

  /** Requests from the client are text without bodies: each line passes, SETUP's ports rewritten. */
  private void rewriteRequests(Socket client, Socket server) throws IOException {
    try (client; server) {
      BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = server.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        Matcher ports = CLIENT_PORT.matcher(line);
        if (ports.find()) {
          DatagramSocket rtp = hop(Integer.parseInt(ports.group(1)), true);
          DatagramSocket rtcp = hop(Integer.parseInt(ports.group(2)), false);
          line = ports.replaceFirst("client_port=" + rtp.getLocalPort() + "-" + rtcp.getLocalPort());
        }
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  /** A UDP socket of the relay that forwards what it receives to the client's {@code port}. */
  private DatagramSocket hop(int port, boolean lossy) throws IOException {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    track(socket);
    InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    start("lossy-relay-udp", () -> {
      Random random = new Random(port);
      byte[] buffer = new byte[65536];
      DatagramPacket held = null;
      long count = 0;
      try (socket) {
        while (!closed) {
          DatagramPacket packet = new DatagramPacket(buffer.clone(), buffer.length);
          socket.receive(packet);
          count++;
          if (lossy && dropEvery > 0 && count % dropEvery == 0) {
            dropped.incrementAndGet();
            continue;
          }
          DatagramPacket out = new DatagramPacket(packet.getData(), packet.getLength(), target);
          if (lossy && swap && held == null && random.nextInt(10) == 0) {
            held = out; // goes out after the next one
            continue;
          }
          socket.send(out);
          forwarded.incrementAndGet();
          if (held != null) {
            socket.send(held);
            forwarded.incrementAndGet();
            held = null;
          }
        }
      }
    });
    return socket;
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    listener.close();
    for (AutoCloseable closeable : open) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // Already closed by its pump.
      }
    }
  }
}
