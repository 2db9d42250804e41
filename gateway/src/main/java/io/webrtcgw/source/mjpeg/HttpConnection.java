package io.webrtcgw.source.mjpeg;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One TCP (or TLS) connection to a camera, carrying HTTP/1.1 GET requests one after another. Every
 * read is bounded by the read timeout, so a camera that stops sending is noticed; {@link #close()}
 * from another thread ends a blocked read at once.
 */
final class HttpConnection implements Closeable {
  static final String USER_AGENT = "webrtc-gateway";

  private final HttpUrl server;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private InputStream body;
  private boolean reusable;

  private HttpConnection(HttpUrl server, Socket socket, LongConsumer received) throws IOException {
    this.server = server;
    this.socket = socket;
    this.in = new BufferedInputStream(new Counting(socket.getInputStream(), received), 65536);
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code server}'s host and port, with TLS for https.
   *
   * @param timeout bounds the connect, the TLS handshake and every later read
   * @param received told the number of bytes of each read from the network
   */
  static HttpConnection open(HttpUrl server, Duration timeout, SSLSocketFactory tls, LongConsumer received)
      throws IOException {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(server.socketHost(), server.port()), millis);
      socket.setSoTimeout(millis);
      if (server.tls()) {
        SSLSocket secure = (SSLSocket) tls.createSocket(socket, server.socketHost(), server.port(), true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.setSoTimeout(millis);
        secure.startHandshake();
        socket = secure;
      }
      return new HttpConnection(server, socket, received);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Whether this connection goes to the same scheme, host and port as {@code url}. */
  boolean serves(HttpUrl url) {
    return url.tls() == server.tls() && url.host().equals(server.host()) && url.port() == server.port();
  }

  /**
   * Sends {@code GET target} and reads the answer's head; the body is then {@link #body()}.
   *
   * @param authorization the {@code Authorization} value, or null
   */
  ResponseHead get(HttpUrl url, String authorization) throws IOException {
    StringBuilder request = new StringBuilder()
        .append("GET ").append(url.target()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(url.hostHeader()).append("\r\n")
        .append("User-Agent: ").append(USER_AGENT).append("\r\n")
        .append("Accept: */*\r\n");
    if (authorization != null) {
      request.append("Authorization: ").append(authorization).append("\r\n");
    }
    request.append("\r\n");
    reusable = false;
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    ResponseHead head = ResponseHead.read(in);
    body = framed(head);
    return head;
  }

  /** The body of the last answer, ending where the answer ends. */
  InputStream body() {
    return body;
  }

  /**
   * Reads and drops what is left of the last body, at most {@code limit} bytes. True when the body
   * ended within that and the connection may carry another request.
   */
  boolean finish(int limit) {
    if (body == null) {
      return reusable;
    }
    try {
      long skipped = 0;
      byte[] scratch = new byte[8192];
      int n;
      while (skipped <= limit && (n = body.read(scratch)) >= 0) {
        skipped += n;
      }
      reusable = reusable && skipped <= limit;
    } catch (IOException e) {
      reusable = false;
    }
    body = null;
    return reusable;
  }

  private InputStream framed(ResponseHead head) throws IOException {
    String transfer = head.header("Transfer-Encoding");
    boolean keepAlive = head.keepAlive();
    if (transfer != null && transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
      reusable = keepAlive;
      return new ChunkedInputStream(new Unclosable(in));
    }
    String length = head.header("Content-Length");
    if (length != null) {
      try {
        long n = Long.parseLong(length.trim());
        if (n >= 0) {
          reusable = keepAlive;
          return new FixedLengthInputStream(new Unclosable(in), n);
        }
      } catch (NumberFormatException e) {
        // fall through: read to the end of the connection
      }
    }
    reusable = false;
    return new Unclosable(in);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  /** Counts the bytes that arrive from the network. */
  private static final class Counting extends FilterInputStream {
    private final LongConsumer received;

    Counting(InputStream in, LongConsumer received) {
      super(in);
      this.received = received;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        received.accept(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        received.accept(n);
      }
      return n;
    }
  }

  /** A body stream whose close leaves the connection to its owner. */
  private static final class Unclosable extends FilterInputStream {
    Unclosable(InputStream in) {
      super(in);
    }

    @Override
    public void close() {
      // the connection owns the socket
    }
  }
}
