package io.webrtcgw.source.rtsp;

import io.webrtcgw.source.auth.Authenticator;
import io.webrtcgw.source.auth.Authenticator.AuthenticationException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One TCP connection to an RTSP server: numbers requests (CSeq), answers the server's 401s through
 * an {@link Authenticator}, and reads responses and interleaved frames from the same stream. Sending
 * is thread-safe (keep-alives and TEARDOWN come from other threads than the reader); reading
 * belongs to one thread.
 */
final class RtspConnection implements AutoCloseable {
  static final String USER_AGENT = "webrtc-gateway";
  private static final int MAX_AUTH_ROUNDS = 3;

  private final Socket socket;
  private final OutputStream out;
  private final RtspReader reader;
  private final Authenticator authenticator;
  private final Object sending = new Object();
  private int cseq;
  private volatile String session;
  private volatile boolean closed;

  RtspConnection(Socket socket, Authenticator authenticator) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.reader = new RtspReader(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    this.authenticator = authenticator;
  }

  /**
   * Connects within {@code timeout}; {@code inFlight} gets the socket first, so that another thread
   * can abort the connect by closing it.
   *
   * @throws IOException naming what went wrong (refused, unreachable, timed out)
   */
  static RtspConnection open(String host, int port, Duration timeout, Authenticator authenticator,
      Consumer<AutoCloseable> inFlight) throws IOException {
    Socket socket = new Socket();
    inFlight.accept(socket);
    try {
      socket.setTcpNoDelay(true);
      socket.setReceiveBufferSize(1 << 20);
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return new RtspConnection(socket, authenticator);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Longest wait for the server's next bytes; 0 waits for ever. */
  void readTimeout(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /** The session the server gave in its SETUP answer, sent with every later request. */
  void session(String id) {
    session = id;
  }

  String session() {
    return session;
  }

  /** Bytes received so far, interleaved media included. */
  long bytesRead() {
    return reader.bytesRead();
  }

  /** Sends {@code request} numbered, with the login and session; returns its CSeq. */
  int send(RtspRequest request) throws IOException {
    synchronized (sending) {
      int number = ++cseq;
      RtspRequest numbered = request.with("CSeq", Integer.toString(number)).with("User-Agent", USER_AGENT);
      if (session != null && numbered.headers().get("Session") == null) {
        numbered = numbered.with("Session", session);
      }
      String authorization = authenticator.header(request.method(), request.uri());
      if (authorization != null) {
        numbered = numbered.with("Authorization", authorization);
      }
      out.write(numbered.encode());
      out.flush();
      return number;
    }
  }

  /**
   * Sends {@code request} and waits for its answer, sending it again when the server asks for a
   * login the authenticator can give. Interleaved frames that arrive meanwhile go to {@code
   * frames}.
   *
   * @throws AuthenticationException when the login is missing, unsupported or refused
   * @throws SocketTimeoutException when the server does not answer within the read timeout
   */
  RtspResponse exchange(RtspRequest request, InterleavedSink frames) throws IOException, AuthenticationException {
    for (int round = 0; ; round++) {
      int number = send(request);
      RtspResponse response = awaitResponse(number, frames);
      if (response.status() != 401) {
        return response;
      }
      if (round + 1 >= MAX_AUTH_ROUNDS || !authenticator.challenged(response.headers().all("WWW-Authenticate"))) {
        throw new AuthenticationException("authentication failed: the camera refused the login");
      }
    }
  }

  private RtspResponse awaitResponse(int number, InterleavedSink frames) throws IOException {
    while (true) {
      RtspReader.Message message = read();
      if (message instanceof RtspReader.Frame frame) {
        frames.onFrame(frame.channel(), frame.payload());
      } else if (message instanceof RtspReader.Response answer) {
        int answered = answer.response().cseq();
        // A response without a CSeq can only be for the one request in flight.
        if (answered == number || answered < 0) {
          return answer.response();
        }
      }
    }
  }

  /** The next response or frame; requests from the server are answered here and skipped. */
  RtspReader.Message read() throws IOException {
    while (true) {
      RtspReader.Message message = reader.read();
      if (message instanceof RtspReader.ServerRequest request) {
        answer(request);
        continue;
      }
      return message;
    }
  }

  /** Servers may ping the client (OPTIONS, GET_PARAMETER); anything else is politely refused. */
  private void answer(RtspReader.ServerRequest request) throws IOException {
    boolean ping = request.method().equals("OPTIONS") || request.method().equals("GET_PARAMETER");
    String text = "RTSP/1.0 " + (ping ? "200 OK" : "501 Not Implemented") + "\r\n"
        + (request.cseq() >= 0 ? "CSeq: " + request.cseq() + "\r\n" : "") + "\r\n";
    synchronized (sending) {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  /** The server's address. */
  java.net.SocketAddress remote() {
    return socket.getRemoteSocketAddress();
  }

  boolean closed() {
    return closed;
  }

  /** Closes the socket; a thread blocked reading it wakes with an exception. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing a socket that is already broken reports nothing worth acting on.
    }
  }
}
