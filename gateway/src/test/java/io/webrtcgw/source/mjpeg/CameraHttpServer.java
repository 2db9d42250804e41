package io.webrtcgw.source.mjpeg;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;

/**
 * A test camera on the JDK's own HTTP server, on loopback: an MJPEG stream (multipart, chunked,
 * parts with {@code Content-Length}) whose behaviour a test switches at run time (a broken
 * boundary, a stall inside a part, an HTML page, a 404...), a JPEG snapshot URL, and the same
 * stream behind Basic (the JDK's {@link BasicAuthenticator}) and Digest (checked here) logins.
 *
 * <p>Picture {@code n} is {@code 16 + 2 * (n % 200)} pixels wide, so a test reads the sequence
 * off the decoded size; with {@link #steadySize} every picture is 320x180 instead.
 */
public final class CameraHttpServer implements AutoCloseable {
  static final String BOUNDARY = "frame";
  static final String USER = "viewer";
  static final String REALM = "camera";

  /** What {@code /cam} does for the next request. */
  public enum Mode { STREAM, BROKEN_BOUNDARY, STALL_MID_PART, HTML, NOT_FOUND, UNSUPPORTED_JPEG }

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "camera-http");
    thread.setDaemon(true);
    return thread;
  });
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "camera-ticks");
    thread.setDaemon(true);
    return thread;
  });
  private final Object ticks = new Object();
  private final String password;
  private final String scheme;
  private final Map<Integer, byte[]> pictures = new HashMap<>();
  private long tick;
  private volatile boolean closed;
  public volatile Mode mode = Mode.STREAM;
  /** Every picture 320x180, as a real camera sends: for tests through WebRTC, whose encoder dislikes new sizes. */
  public volatile boolean steadySize;
  final AtomicInteger streamRequests = new AtomicInteger();
  final AtomicInteger snapshotRequests = new AtomicInteger();
  final AtomicInteger refusedLogins = new AtomicInteger();
  final AtomicInteger openStreams = new AtomicInteger();
  final AtomicInteger mostOpenStreams = new AtomicInteger();
  private final AtomicInteger sequence = new AtomicInteger();

  /** @param fps pictures per second on every stream */
  public CameraHttpServer(String password, int fps) throws IOException {
    this(password, fps, null);
  }

  /** @param tls serves https with this context; null for http */
  CameraHttpServer(String password, int fps, SSLContext tls) throws IOException {
    this.password = password;
    this.scheme = tls == null ? "http" : "https";
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 16);
    } else {
      HttpsServer secure = HttpsServer.create(loopback, 16);
      secure.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = secure;
    }
    server.setExecutor(handlers);
    server.createContext("/cam", exchange -> serve(exchange, () -> mode));
    server.createContext("/redirect", exchange -> {
      exchange.getResponseHeaders().add("Location", "/cam?from=redirect");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    server.createContext("/snap.jpg", this::snapshot);
    HttpContext basic = server.createContext("/basic", exchange -> serve(exchange, () -> Mode.STREAM));
    basic.setAuthenticator(new BasicAuthenticator(REALM) {
      @Override
      public boolean checkCredentials(String user, String pass) {
        boolean ok = USER.equals(user) && CameraHttpServer.this.password.equals(pass);
        if (!ok) {
          refusedLogins.incrementAndGet();
        }
        return ok;
      }
    });
    server.createContext("/digest", this::digest);
    server.start();
    long period = 1_000_000 / fps;
    ticker.scheduleAtFixedRate(() -> {
      synchronized (ticks) {
        tick++;
        ticks.notifyAll();
      }
    }, period, period, TimeUnit.MICROSECONDS);
  }

  int port() {
    return server.getAddress().getPort();
  }

  public String url(String path) {
    return scheme + "://127.0.0.1:" + port() + path;
  }

  /** The JPEG of picture {@code n}: {@code 16 + 2 * (n % 200)} by 16 pixels, or 320x180 when steady. */
  byte[] picture(int n) {
    boolean steady = steadySize;
    synchronized (pictures) {
      return pictures.computeIfAbsent(steady ? -1 - n % 15 : n % 200, k -> {
        BufferedImage image = steady ? new BufferedImage(320, 180, BufferedImage.TYPE_INT_RGB)
            : new BufferedImage(16 + 2 * k, 16, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < image.getWidth(); x++) {
          for (int y = 0; y < image.getHeight(); y++) {
            image.setRGB(x, y, (x * 9 + k * 17 & 0xFF) << 16 | (y * 15 & 0xFF) << 8 | 0x40);
          }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
          ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return out.toByteArray();
      });
    }
  }

  /** Pictures sent so far, on every connection. */
  int sent() {
    return sequence.get();
  }

  /** Picture width to its sequence number modulo 200. */
  static int sequenceOf(int width) {
    return (width - 16) / 2;
  }

  private boolean awaitTick() {
    synchronized (ticks) {
      long seen = tick;
      while (tick == seen && !closed) {
        try {
          ticks.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return !closed;
    }
  }

  private void serve(HttpExchange exchange, Supplier<Mode> modes) throws IOException {
    streamRequests.incrementAndGet();
    try (exchange) {
      switch (modes.get()) {
        case NOT_FOUND -> exchange.sendResponseHeaders(404, -1);
        case HTML -> {
          byte[] page = "<html><body>Please log in</body></html>".getBytes(StandardCharsets.US_ASCII);
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
        }
        default -> stream(exchange, modes);
      }
    } catch (IOException e) {
      // the client went away: a camera does not care
    }
  }

  /**
   * Sends a picture every tick in the mode of the moment: a camera that switches to a stall or a
   * broken boundary does so on the connection it is serving. A mode that is no stream ends it.
   */
  private void stream(HttpExchange exchange, Supplier<Mode> modes) throws IOException {
    int open = openStreams.incrementAndGet();
    mostOpenStreams.accumulateAndGet(open, Math::max);
    try {
      exchange.getResponseHeaders().add("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      while (awaitTick()) {
        Mode now = modes.get();
        if (now == Mode.NOT_FOUND || now == Mode.HTML) {
          return;
        }
        byte[] jpeg = now == Mode.UNSUPPORTED_JPEG ? arithmeticJpeg() : picture(sequence.getAndIncrement());
        String delimiter = now == Mode.BROKEN_BOUNDARY ? "--not" + BOUNDARY : "--" + BOUNDARY;
        out.write((delimiter + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        if (now == Mode.STALL_MID_PART) {
          out.write(jpeg, 0, jpeg.length / 2);
          out.flush();
          while (awaitTick() && modes.get() == Mode.STALL_MID_PART) {
            // holds the connection open and sends nothing more
          }
          return;
        }
        out.write(jpeg);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } finally {
      openStreams.decrementAndGet();
    }
  }

  /** A JPEG whose frame header says arithmetic coding, which no decoder here reads. */
  private static byte[] arithmeticJpeg() {
    return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC9, 0, 17, 8, 0, 16, 0, 16, 3,
        1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, (byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, (byte) 0xFF, (byte) 0xD9};
  }

  private void snapshot(HttpExchange exchange) throws IOException {
    snapshotRequests.incrementAndGet();
    try (exchange) {
      byte[] jpeg = picture(sequence.getAndIncrement());
      exchange.getResponseHeaders().add("Content-Type", "image/jpeg");
      exchange.sendResponseHeaders(200, jpeg.length);
      exchange.getResponseBody().write(jpeg);
    } catch (IOException e) {
      // the client went away
    }
  }

  private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))");
  private static final String NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

  /** RFC 7616 Digest, MD5 with qop=auth, verified here; then the stream. */
  private void digest(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null && authorization.startsWith("Digest ") && digestValid(authorization.substring(7),
        exchange.getRequestMethod())) {
      serve(exchange, () -> Mode.STREAM);
      return;
    }
    if (authorization != null) {
      refusedLogins.incrementAndGet();
    }
    try (exchange) {
      exchange.getResponseHeaders().add("WWW-Authenticate",
          "Digest realm=\"" + REALM + "\", qop=\"auth\", nonce=\"" + NONCE + "\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
      exchange.sendResponseHeaders(401, -1);
    }
  }

  private boolean digestValid(String header, String method) {
    Map<String, String> params = new HashMap<>();
    Matcher m = PARAM.matcher(header);
    while (m.find()) {
      params.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
    }
    if (!USER.equals(params.get("username")) || !NONCE.equals(params.get("nonce")) || !"auth".equals(params.get("qop"))) {
      return false;
    }
    String ha1 = md5(USER + ":" + REALM + ":" + password);
    String ha2 = md5(method + ":" + params.get("uri"));
    String expected = md5(ha1 + ":" + NONCE + ":" + params.get("nc") + ":" + params.get("cnonce") + ":auth:" + ha2);
    return expected.equals(params.get("response"));
  }

  private static String md5(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (ticks) {
      ticks.notifyAll();
    }
    ticker.shutdownNow();
    server.stop(0);
    handlers.shutdownNow();
  }
}
