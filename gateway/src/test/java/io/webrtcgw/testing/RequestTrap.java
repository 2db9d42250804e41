package io.webrtcgw.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener that a browser is given as its proxy for everything but loopback: every
 * connection it gets is a request that would have left the machine. It records the first line of
 * each (e.g. {@code CONNECT example.org:443 HTTP/1.1}) and closes it unanswered.
 */
public final class RequestTrap implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<String> requests = new ArrayList<>();

  public RequestTrap() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::accept, "request-trap-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The first line of every connection so far, in order of arrival. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  private void accept() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(2000);
        String line = firstLine(socket.getInputStream());
        synchronized (this) {
          requests.add(line);
        }
      } catch (IOException e) {
        // closed, or the client went away before saying anything: the accept loop decides
      }
    }
  }

  /** Up to the first line break or 200 bytes, non-printable bytes (a SOCKS greeting) as {@code \xNN}. */
  private static String firstLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int count = 0;
    try {
      for (int b = in.read(); b >= 0 && b != '\n' && count < 200; b = in.read(), count++) {
        if (b >= 0x20 && b < 0x7f) {
          line.append((char) b);
        } else if (b != '\r') {
          line.append(String.format("\\x%02x", b));
        }
      }
    } catch (SocketTimeoutException e) {
      line.append(" (then silence)");
    }
    return line.isEmpty() ? "(connected, sent nothing)" : line.toString();
  }

  @Override
  public void close() {
    try {
      server.close();
      acceptor.join(5000);
    } catch (IOException e) {
      // nothing more to do: the socket is gone either way
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
