package io.webrtcgw.source.rtsp;

import io.webrtcgw.source.auth.Authenticator;
import io.webrtcgw.source.auth.Authenticator.AuthenticationException;
import io.webrtcgw.source.auth.Credentials;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The RTSP conversation with one camera (RFC 2326): OPTIONS, DESCRIBE (following redirects and
 * answering 401s), SETUP over TCP or UDP, PLAY, keep-alives and TEARDOWN, each failure turned into
 * an {@link RtspException} that says in one line what happened. Owns its connection.
 */
final class RtspSession implements AutoCloseable {
  static final int MAX_REDIRECTS = 5;
  /** The session timeout RFC 2326 assumes when a server states none. */
  static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);

  /** How long connecting and each answer may take. */
  record Timeouts(Duration connect, Duration response) {}

  /** How RTP reaches us: interleaved channels on the connection, or the server's UDP ports. */
  record Transport(boolean tcp, int rtpChannel, int rtcpChannel, int serverRtpPort, int serverRtcpPort, long ssrc) {}

  /** The server refused the transport asked for (461 Unsupported Transport). */
  static final class TransportRefused extends Exception {
    private static final long serialVersionUID = 1L;

    TransportRefused(String message) {
      super(message);
    }
  }

  private final RtspUrl url;
  private final RtspConnection connection;
  private final H264Media media;
  private final RtspUrl aggregate;
  private final boolean getParameter;
  private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
  private volatile boolean playing;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private RtspSession(RtspUrl url, RtspConnection connection, H264Media media, RtspUrl aggregate,
      boolean getParameter) {
    this.url = url;
    this.connection = connection;
    this.media = media;
    this.aggregate = aggregate;
    this.getParameter = getParameter;
  }

  /**
   * Connects to the camera and describes its stream, following up to {@link #MAX_REDIRECTS}
   * redirects.
   *
   * @throws RtspException when the camera cannot be reached, refuses, or offers no H.264 video
   */
  static RtspSession describe(RtspUrl start, Timeouts timeouts, Consumer<AutoCloseable> inFlight)
      throws RtspException {
    RtspUrl url = start;
    for (int hop = 0; ; hop++) {
      RtspConnection connection = connect(url, timeouts, inFlight);
      boolean handedOver = false;
      try {
        RtspResponse options = exchange(connection, RtspRequest.of("OPTIONS", url), url, "OPTIONS");
        String location = redirect(options);
        if (location == null) {
          RtspResponse description = exchange(
              connection, RtspRequest.of("DESCRIBE", url, "Accept", "application/sdp"), url, "DESCRIBE");
          location = redirect(description);
          if (location == null) {
            RtspSession session = described(url, connection, options, description);
            handedOver = true;
            return session;
          }
        }
        if (hop + 1 >= MAX_REDIRECTS) {
          throw soon(url.masked() + " redirects more than " + MAX_REDIRECTS + " times");
        }
        try {
          url = url.resolve(location);
        } catch (IllegalArgumentException e) {
          throw soon(url.masked() + " redirects to a URL that cannot be used: " + e.getMessage());
        }
      } finally {
        if (!handedOver) {
          connection.close();
        }
      }
    }
  }

  private static RtspSession described(RtspUrl url, RtspConnection connection, RtspResponse options,
      RtspResponse description) throws RtspException {
    if (description.status() == 404) {
      throw soon(url.masked() + ": the camera has no stream at " + url.path() + " (404 Not Found)");
    }
    if (description.status() / 100 != 2) {
      throw soon(url.masked() + ": the camera answered DESCRIBE with " + description.statusLine());
    }
    String type = description.header("Content-Type");
    if (type != null && !type.toLowerCase(Locale.ROOT).contains("sdp")) {
      throw slowly(url.masked() + ": the camera described its stream as " + RtspReader.printable(type)
          + " instead of SDP");
    }
    if (description.body().length == 0) {
      throw soon(url.masked() + ": the camera sent an empty stream description");
    }
    SessionDescription sdp = SessionDescription.parse(description.bodyText());
    RtspUrl base = url;
    try {
      String contentBase = description.header("Content-Base");
      String contentLocation = description.header("Content-Location");
      if (contentBase != null && !contentBase.isBlank()) {
        base = url.resolve(contentBase);
      } else if (contentLocation != null && !contentLocation.isBlank()) {
        base = url.resolve(contentLocation);
      }
    } catch (IllegalArgumentException e) {
      base = url;
    }
    H264Media media;
    try {
      media = H264Media.choose(sdp, base);
    } catch (RtspException e) {
      throw new RtspException(url.masked() + ": " + e.getMessage(), e.retry());
    }
    RtspUrl aggregate = base;
    String control = sdp.attribute("control");
    if (control != null) {
      try {
        aggregate = base.resolve(control.trim());
      } catch (IllegalArgumentException e) {
        aggregate = base;
      }
    }
    String methods = options.status() / 100 == 2 ? options.header("Public") : null;
    boolean getParameter = methods != null && methods.toUpperCase(Locale.ROOT).contains("GET_PARAMETER");
    return new RtspSession(url, connection, media, aggregate, getParameter);
  }

  H264Media media() {
    return media;
  }

  RtspConnection connection() {
    return connection;
  }

  /** The masked URL this session ended up at, after redirects. */
  String where() {
    return url.masked();
  }

  Duration sessionTimeout() {
    return sessionTimeout;
  }

  /**
   * SETUPs the video track, interleaved on this connection ({@code udpPorts} null) or to the
   * given local UDP ports.
   *
   * @throws TransportRefused on 461, so that the caller may try the other transport
   */
  Transport setup(int[] udpPorts) throws RtspException, TransportRefused {
    boolean tcp = udpPorts == null;
    String wanted = tcp
        ? "RTP/AVP/TCP;unicast;interleaved=0-1"
        : "RTP/AVP;unicast;client_port=" + udpPorts[0] + "-" + udpPorts[1];
    RtspResponse answer = exchange(connection,
        RtspRequest.of("SETUP", media.control(), "Transport", wanted), url, "SETUP");
    if (answer.status() == 461) {
      throw new TransportRefused(url.masked() + ": the camera refuses RTP over " + (tcp ? "TCP" : "UDP")
          + " (461 Unsupported Transport)");
    }
    if (answer.status() / 100 != 2) {
      throw soon(url.masked() + ": the camera answered SETUP with " + answer.statusLine());
    }
    String session = answer.header("Session");
    if (session == null || session.isBlank()) {
      throw soon(url.masked() + ": the camera's SETUP answer has no Session");
    }
    String[] parts = session.split(";");
    connection.session(parts[0].trim());
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.toLowerCase(Locale.ROOT).startsWith("timeout=")) {
        try {
          long seconds = Long.parseLong(part.substring(8).trim());
          if (seconds >= 2 && seconds <= 3600) {
            sessionTimeout = Duration.ofSeconds(seconds);
          }
        } catch (NumberFormatException e) {
          // A malformed timeout leaves RFC 2326's default.
        }
      }
    }
    return transport(answer.header("Transport"), tcp);
  }

  private Transport transport(String header, boolean tcp) throws RtspException {
    int rtpChannel = 0;
    int rtcpChannel = 1;
    int serverRtp = -1;
    int serverRtcp = -1;
    long ssrc = -1;
    if (header != null) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (tcp && !lower.contains("tcp") && lower.contains("client_port")) {
        throw soon(url.masked() + ": the camera answered a request for RTP over TCP with UDP");
      }
      for (String part : header.split(";")) {
        String[] kv = part.trim().split("=", 2);
        if (kv.length != 2) {
          continue;
        }
        String key = kv[0].trim().toLowerCase(Locale.ROOT);
        int[] pair = pair(kv[1].trim());
        switch (key) {
          case "interleaved" -> {
            if (pair != null) {
              rtpChannel = pair[0];
              rtcpChannel = pair[1];
            }
          }
          case "server_port" -> {
            if (pair != null) {
              serverRtp = pair[0];
              serverRtcp = pair[1];
            }
          }
          case "ssrc" -> {
            try {
              ssrc = Long.parseLong(kv[1].trim(), 16) & 0xFFFFFFFFL;
            } catch (NumberFormatException e) {
              ssrc = -1;
            }
          }
          default -> {
            // Other parameters (mode, destination, source) change nothing here.
          }
        }
      }
    }
    return new Transport(tcp, rtpChannel, rtcpChannel, serverRtp, serverRtcp, ssrc);
  }

  private static int[] pair(String value) {
    String[] ends = value.split("-", 2);
    try {
      int first = Integer.parseInt(ends[0].trim());
      int second = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : first + 1;
      return new int[] {first, second};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Starts the media; frames that arrive before the answer go to {@code early}. */
  void play(InterleavedSink early) throws RtspException {
    RtspResponse answer;
    try {
      connection.send(RtspRequest.of("PLAY", aggregate, "Range", "npt=0.000-"));
    } catch (IOException e) {
      throw failure(url, "PLAY", e);
    }
    answer = await(early);
    if (answer.status() / 100 != 2) {
      throw soon(url.masked() + ": the camera answered PLAY with " + answer.statusLine());
    }
    playing = true;
  }

  private RtspResponse await(InterleavedSink early) throws RtspException {
    try {
      while (true) {
        RtspReader.Message message = connection.read();
        if (message instanceof RtspReader.Frame frame) {
          early.onFrame(frame.channel(), frame.payload());
        } else if (message instanceof RtspReader.Response response) {
          return response.response();
        }
      }
    } catch (IOException e) {
      throw failure(url, "PLAY", e);
    }
  }

  /** Sends a keep-alive without waiting for its answer, which the reading thread skips. */
  void keepAlive() throws IOException {
    connection.send(getParameter ? RtspRequest.of("GET_PARAMETER", aggregate) : RtspRequest.of("OPTIONS", url));
  }

  /**
   * Sends a keep-alive for this session on a connection of its own and waits for the answer, for
   * servers that closed the session's connection while the session goes on.
   */
  void keepAliveApart(Timeouts timeouts) throws RtspException {
    try (RtspConnection apart = connect(url, timeouts, closeable -> {})) {
      RtspRequest ping = (getParameter ? RtspRequest.of("GET_PARAMETER", aggregate) : RtspRequest.of("OPTIONS", url))
          .with("Session", connection.session());
      RtspResponse answer = exchange(apart, ping, url, ping.method());
      if (answer.status() == 454) {
        throw soon(url.masked() + ": the camera no longer knows the session (454 Session Not Found)");
      }
    }
  }

  /** Whether keep-alives use GET_PARAMETER (the server lists it) rather than OPTIONS. */
  boolean keepsAliveWithGetParameter() {
    return getParameter;
  }

  /** Ends the session politely (best effort, without waiting) and closes the connection. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (playing && !connection.closed()) {
      try {
        connection.send(RtspRequest.of("TEARDOWN", aggregate));
      } catch (IOException e) {
        // The connection is already gone, and the server's session with it.
      }
    }
    playing = false;
    connection.close();
  }

  /**
   * Connects; {@code inFlight} is given the socket before connecting and the connection after, so
   * that another thread can cut either short.
   */
  private static RtspConnection connect(RtspUrl url, Timeouts timeouts, Consumer<AutoCloseable> inFlight)
      throws RtspException {
    Authenticator authenticator = new Authenticator(
        url.username() == null ? null : new Credentials(url.username(), url.password()));
    RtspConnection connection;
    try {
      connection = RtspConnection.open(url.host(), url.port(), timeouts.connect(), authenticator, inFlight);
    } catch (UnknownHostException e) {
      throw unreachable(url.masked() + ": unknown host '" + url.host() + "'");
    } catch (SocketTimeoutException e) {
      throw unreachable(url.masked() + ": no answer from " + url.authority() + " within "
          + seconds(timeouts.connect()) + " (camera off or unreachable?)");
    } catch (ConnectException e) {
      throw unreachable(url.masked() + ": connection refused by " + url.authority()
          + " (nothing listens there, or the camera's RTSP is off)");
    } catch (NoRouteToHostException e) {
      throw unreachable(url.masked() + ": no route to " + url.authority() + " (host unreachable)");
    } catch (IOException e) {
      throw unreachable(url.masked() + ": cannot connect to " + url.authority() + ": " + e.getMessage());
    }
    inFlight.accept(connection);
    try {
      connection.readTimeout(timeouts.response());
    } catch (IOException e) {
      connection.close();
      throw soon(url.masked() + ": cannot use the connection: " + e.getMessage());
    }
    return connection;
  }

  private static RtspResponse exchange(RtspConnection connection, RtspRequest request, RtspUrl url, String what)
      throws RtspException {
    try {
      return connection.exchange(request, InterleavedSink.DISCARD);
    } catch (AuthenticationException e) {
      throw slowly(url.masked() + ": " + e.getMessage()
          + (url.username() == null ? "" : " (user '" + url.username() + "')"));
    } catch (IOException e) {
      throw failure(url, what, e);
    }
  }

  private static RtspException failure(RtspUrl url, String what, IOException e) {
    if (e instanceof SocketTimeoutException) {
      return soon(url.masked() + ": the camera accepted the connection but did not answer " + what + " in time");
    }
    if (e instanceof EOFException) {
      return soon(url.masked() + ": the camera closed the connection during " + what);
    }
    if (e instanceof RtspProtocolException) {
      return soon(url.masked() + ": " + e.getMessage() + " (during " + what + ")");
    }
    return soon(url.masked() + ": connection lost during " + what + " (" + e.getMessage() + ")");
  }

  private static String redirect(RtspResponse response) {
    int status = response.status();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      String location = response.header("Location");
      return location == null || location.isBlank() ? null : location.trim();
    }
    return null;
  }

  private static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  static RtspException soon(String message) {
    return new RtspException(message, RtspException.Retry.SOON);
  }

  static RtspException cut(String message) {
    return new RtspException(message, RtspException.Retry.AT_ONCE);
  }

  static RtspException unreachable(String message) {
    return new RtspException(message, RtspException.Retry.ONCE_REACHABLE);
  }

  static RtspException slowly(String message) {
    return new RtspException(message, RtspException.Retry.SLOWLY);
  }
}
