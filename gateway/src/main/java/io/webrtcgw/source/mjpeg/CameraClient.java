package io.webrtcgw.source.mjpeg;

import io.webrtcgw.source.auth.Authenticator;
import io.webrtcgw.source.auth.Authenticator.AuthenticationException;
import io.webrtcgw.source.auth.Credentials;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP side of a camera: GETs its URL over a connection of our own, follows redirects (a few),
 * answers login challenges (Basic or Digest) and keeps the connection for the next request when
 * the camera allows it. One per source run; not thread-safe, but {@link #close()} may be called
 * from any thread to end a blocked read.
 */
final class CameraClient implements Closeable {
  static final int MAX_REDIRECTS = 5;
  /** Error and redirect bodies longer than this are not read to keep the connection. */
  private static final int DISCARD_LIMIT = 65536;

  private final HttpUrl url;
  private final String configuredUser;
  private final String configuredPassword;
  private final Duration timeout;
  private final SSLSocketFactory tls;
  private final LongConsumer received;
  private Authenticator authenticator;
  /** The login was accepted since the last challenge: a new 401 means a nonce ran out, not a bad password. */
  private boolean accepted;
  private volatile HttpConnection connection;
  private volatile boolean closed;

  CameraClient(HttpUrl url, String configuredUser, String configuredPassword, Duration timeout, SSLSocketFactory tls,
      LongConsumer received) {
    this.url = url;
    this.configuredUser = configuredUser;
    this.configuredPassword = configuredPassword;
    this.timeout = timeout;
    this.tls = tls;
    this.received = received;
  }

  /** A 200 answer: its head and its body, which ends where the answer ends. */
  record Response(ResponseHead head, InputStream body, HttpUrl url) {}

  /**
   * GETs the camera's URL and returns the 200 answer, after redirects and login. Reading the body
   * is the caller's; {@link #release} afterwards lets the connection carry the next request.
   */
  Response get() throws CameraFault {
    HttpUrl current = url;
    int redirects = 0;
    int challenges = 0;
    while (true) {
      if (closed) {
        throw new CameraFault("stopped");
      }
      boolean reused = connection != null && connection.serves(current);
      HttpConnection conn = connectionFor(current);
      ResponseHead head;
      try {
        String authorization = authenticator != null && authenticator.active() && sameServer(current)
            ? authenticator.header("GET", current.target()) : null;
        head = conn.get(current, authorization);
      } catch (IOException e) {
        drop();
        if (reused && !closed) {
          continue; // the camera closed the idle connection meanwhile: once more on a new one
        }
        throw new CameraFault(describe(e, current));
      }
      int status = head.status();
      if (status >= 300 && status < 400 && status != 304 && head.header("Location") != null) {
        conn.finish(DISCARD_LIMIT);
        release();
        if (++redirects > MAX_REDIRECTS) {
          throw new CameraFault(url.masked() + " redirects more than " + MAX_REDIRECTS + " times");
        }
        try {
          current = current.resolve(head.header("Location"));
        } catch (IllegalArgumentException e) {
          throw new CameraFault(url.masked() + " redirects to an unusable place: " + e.getMessage());
        }
        continue;
      }
      if (status == 401) {
        conn.finish(DISCARD_LIMIT);
        release();
        answer(head, current, ++challenges);
        continue;
      }
      if (status != 200) {
        conn.finish(DISCARD_LIMIT);
        release();
        throw new CameraFault("the camera answered HTTP " + status + (head.reason().isEmpty() ? "" : " " + head.reason())
            + " for " + current.masked());
      }
      accepted = authenticator != null && authenticator.active();
      return new Response(head, conn.body(), current);
    }
  }

  private void answer(ResponseHead head, HttpUrl current, int challenges) throws CameraFault {
    Credentials login = sameServer(current) ? current.credentials(configuredUser, configuredPassword) : null;
    if (login == null) {
      throw new CameraFault("authentication failed: " + current.masked()
          + " asks for a login and none is configured (put it in the URL or set username and password)", true);
    }
    if (authenticator == null || accepted) {
      authenticator = new Authenticator(login);
      accepted = false;
    }
    boolean retry;
    try {
      retry = authenticator.challenged(head.headers("WWW-Authenticate"));
    } catch (AuthenticationException e) {
      throw new CameraFault(e.getMessage(), true);
    }
    if (!retry || challenges > 2) {
      throw new CameraFault("authentication failed: the camera refused the login of user '" + login.username() + "'", true);
    }
  }

  private boolean sameServer(HttpUrl other) {
    return other.tls() == url.tls() && other.host().equals(url.host()) && other.port() == url.port();
  }

  private HttpConnection connectionFor(HttpUrl target) throws CameraFault {
    HttpConnection idle = connection;
    if (idle != null && idle.serves(target)) {
      return idle;
    }
    drop();
    try {
      HttpConnection opened = HttpConnection.open(target, timeout, tls, received);
      connection = opened;
      if (closed) {
        drop();
        throw new CameraFault("stopped");
      }
      return opened;
    } catch (IOException e) {
      throw new CameraFault(describe(e, target));
    }
  }

  /**
   * After the body of the last answer was read to its end (a snapshot), keeps the connection for
   * the next request if the camera allows; otherwise closes it.
   */
  void release() {
    HttpConnection conn = connection;
    if (conn != null && !conn.finish(0)) {
      drop();
    }
  }

  /** Closes the connection, e.g. after a failure mid-body. */
  void drop() {
    HttpConnection conn = connection;
    connection = null;
    if (conn != null) {
      conn.close();
    }
  }

  /** Ends the connection and any read blocked on it; later requests fail. */
  @Override
  public void close() {
    closed = true;
    drop();
  }

  /** One line that says what went wrong with the network, naming the camera's address but no login. */
  String describe(IOException e, HttpUrl at) {
    String where = at.address();
    if (e instanceof UnknownHostException) {
      return "unknown host '" + at.host() + "'";
    }
    if (e instanceof ConnectException) {
      String detail = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
      return "cannot connect to " + where + ": " + (detail.contains("refused") ? "connection refused" : e.getMessage());
    }
    if (e instanceof NoRouteToHostException) {
      return "cannot reach " + where + ": no route to host";
    }
    if (e instanceof SocketTimeoutException) {
      String detail = e.getMessage() == null ? "" : e.getMessage();
      return detail.contains("connect") ? "cannot connect to " + where + ": no answer to the connection attempt"
          : "no data from " + where + " for " + seconds(timeout);
    }
    if (e instanceof SSLException) {
      String detail = String.valueOf(e.getMessage());
      if (detail.contains("PKIX") || detail.contains("certification path")) {
        detail = "the camera's certificate is not trusted (self-signed? add it to the JVM's trust store)";
      } else if (detail.contains("No subject alternative") || detail.contains("No name matching")) {
        detail = "the camera's certificate is not for '" + at.host() + "'";
      }
      return "TLS with " + where + " failed: " + detail;
    }
    if (e instanceof MultipartReader.BrokenStreamException) {
      return e.getMessage();
    }
    if (e instanceof ResponseHead.NotHttpException) {
      return where + ": " + e.getMessage();
    }
    if (e instanceof EOFException) {
      return where + " closed the connection: " + e.getMessage();
    }
    if (e instanceof SocketException && e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset")) {
      return where + " reset the connection";
    }
    return "connection to " + where + " failed: " + e.getMessage();
  }

  static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return (millis % 1000 == 0 ? String.valueOf(millis / 1000) : String.valueOf(millis / 1000.0)) + " s";
  }
}
