package io.webrtcgw.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.media.JpegSnapshot;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.Snapshots;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.metrics.GatewayMetrics;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.rtc.SessionStats;
import io.webrtcgw.security.AccessPolicy;
import io.webrtcgw.security.OriginPolicy;
import io.webrtcgw.security.TlsContexts;
import io.webrtcgw.signaling.whep.WhepSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP edge: pages, static viewer files, the JSON API, health and the signaling socket. */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_SNAPSHOT_WIDTH = 3840;
  static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
  private static final HttpString REQUEST_METHOD = new HttpString("Access-Control-Request-Method");
  private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
  private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
  private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
  private static final HttpString CSP = new HttpString("Content-Security-Policy");
  private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final GatewayMetrics metrics;
  private final AccessPolicy access;
  private final Snapshots snapshots;
  private final ViewerSocket socket;
  private final GracefulShutdownHandler root;
  private final Undertow undertow;
  private final String scheme;
  private final String frameAncestors;
  private final byte[] indexPage;
  private final byte[] viewPage;
  private final byte[] embedPage;
  private boolean stopped;

  public GatewayServer(GatewayConfig config, StreamRegistry streams, SessionRegistry sessions,
      ScheduledExecutorService timers, GatewayMetrics metrics) {
    this.streams = streams;
    this.sessions = sessions;
    this.metrics = metrics;
    this.access = new AccessPolicy(config.auth(), config.streams());
    this.snapshots = new Snapshots(SNAPSHOT_TIMEOUT, timers);
    this.scheme = config.tls() == null ? "http" : "https";
    this.frameAncestors = config.frameAncestors();
    this.socket = new ViewerSocket(streams, sessions, timers, config.limits().offerTimeout(),
        config.limits().maxMessageBytes(), access, new OriginPolicy(config.allowedOrigins()), metrics);
    this.indexPage = resource("web/index.html");
    this.viewPage = resource("web/view.html");
    this.embedPage = resource("web/embed.html");

    StaticFiles files = new StaticFiles(GatewayServer.class.getClassLoader(), "web/");
    RoutingHandler routes = Handlers.routing()
        .get("/", exchange -> sendBytes(exchange, "text/html; charset=utf-8", indexPage))
        .get("/view/{stream}", exchange -> streamPage(exchange, viewPage))
        .get("/embed/{stream}", exchange -> streamPage(exchange, embedPage))
        .get("/ws/{stream}", socket.handler())
        .get("/api/streams", this::listStreams)
        .get("/api/sessions", this::listSessions)
        .get("/snapshot/{file}", this::snapshot)
        .get("/metrics", this::metrics)
        .get("/healthz", exchange -> sendJson(exchange, StatusCodes.OK,
            Map.of("status", "ok", "streams", streams.all().size(), "sessions", sessions.count())))
        .setFallbackHandler(exchange -> sendJson(exchange, StatusCodes.NOT_FOUND,
            Map.of("error", "not-found", "message", "no such path: " + exchange.getRequestPath())))
        .setInvalidMethodHandler(exchange -> sendJson(exchange, StatusCodes.METHOD_NOT_ALLOWED,
            Map.of("error", "method-not-allowed", "message", exchange.getRequestMethod() + " is not allowed here")));
    new WhepRoutes(
        new WhepSessions(streams, sessions, timers, WhepSessions.Timeouts.defaults(config.limits().offerTimeout())),
        sessions.iceServers(), config.limits().maxMessageBytes(),
        (stream, token) -> access.stream(stream, token.orElse(null)).allowed(),
        new OriginPolicy(config.allowedOrigins()))
        .addTo(routes);
    HttpHandler paths = Handlers.path(routes).addPrefixPath("/web", files);
    this.root = Handlers.gracefulShutdown(this.edge(paths));
    Undertow.Builder builder = Undertow.builder().setHandler(root);
    if (config.tls() == null) {
      builder.addHttpListener(config.port(), config.host());
    } else {
      builder.addHttpsListener(config.port(), config.host(), TlsContexts.serverContext(config.tls()));
    }
    this.undertow = builder.build();
  }

  public void start() {
    undertow.start();
    log.info("serving on {}://{}:{}/ ({} streams)", scheme, hostForLog(), port(), streams.all().size());
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  private String hostForLog() {
    InetSocketAddress address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    return address.getAddress().isAnyLocalAddress() ? "localhost" : address.getHostString();
  }

  /**
   * Headers every response carries, and CORS preflight answers. Responses hold no cookies or
   * ambient credentials (tokens travel in the URL or an Authorization header), so any origin may
   * read them; {@code Referrer-Policy} keeps tokens in page URLs from leaking to other sites.
   */
  private HttpHandler edge(HttpHandler next) {
    return exchange -> {
      HeaderMap headers = exchange.getResponseHeaders();
      headers.put(NOSNIFF, "nosniff");
      headers.put(CSP, "frame-ancestors " + frameAncestors);
      headers.put(REFERRER_POLICY, "no-referrer");
      headers.put(ALLOW_ORIGIN, "*");
      // WHEP answers its own preflights: they carry Accept-Post and the exposed headers players need.
      if (exchange.getRequestMethod().equals(Methods.OPTIONS) && exchange.getRequestHeaders().contains(REQUEST_METHOD)
          && !exchange.getRequestPath().startsWith("/whep/")) {
        headers.put(ALLOW_METHODS, "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
        headers.put(ALLOW_HEADERS, "Authorization, Content-Type, If-Match");
        headers.put(MAX_AGE, 600);
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
        return;
      }
      next.handleRequest(exchange);
    };
  }

  /** This gateway's own origin as the request addressed it, always allowed to call it. */
  static String ownOrigin(HttpServerExchange exchange) {
    return exchange.getRequestScheme() + "://" + exchange.getRequestHeaders().getFirst(Headers.HOST);
  }

  private void streamPage(HttpServerExchange exchange, byte[] page) {
    String stream = pathParameter(exchange, "stream");
    if (!allowed(exchange, stream)) {
      return;
    }
    if (streams.find(stream).isEmpty()) {
      sendError(exchange, StatusCodes.NOT_FOUND, "unknown-stream", "there is no stream named '" + stream + "'");
      return;
    }
    sendBytes(exchange, "text/html; charset=utf-8", page);
  }

  private void listStreams(HttpServerExchange exchange) {
    String token = token(exchange);
    sendJson(exchange, StatusCodes.OK, streams.describe().stream()
        .filter(info -> access.stream(info.name(), token).allowed())
        .toList());
  }

  /** What {@code /api/sessions} says about one session. */
  record SessionInfo(String id, String stream, String started, double durationSeconds, String iceState,
      String codec, long bitrate, double fps, long bytesSent, String candidateType) {}

  private void listSessions(HttpServerExchange exchange) {
    if (!admin(exchange, "/api/sessions")) {
      return;
    }
    List<Session> all = sessions.all();
    List<CompletableFuture<SessionStats>> stats = new ArrayList<>();
    for (Session session : all) {
      stats.add(session.stats()
          .orTimeout(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .handle((report, error) -> error == null ? SessionStats.of(report) : SessionStats.EMPTY));
    }
    respondLater(exchange, CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new)), (ex, ignored) -> {
      Instant now = Instant.now();
      List<SessionInfo> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        Session session = all.get(i);
        SessionStats s = stats.get(i).join();
        out.add(new SessionInfo(session.id(), session.streamName(), session.started().toString(),
            Duration.between(session.started(), now).toMillis() / 1000.0,
            session.iceState().name().toLowerCase(Locale.ROOT),
            s.codec(), s.bitrate(), s.fps(), s.bytesSent(), s.candidateType()));
      }
      sendJson(ex, StatusCodes.OK, out);
    });
  }

  private void snapshot(HttpServerExchange exchange) {
    String file = pathParameter(exchange, "file");
    if (!file.endsWith(".jpg")) {
      sendError(exchange, StatusCodes.NOT_FOUND, "not-found", "snapshots are at /snapshot/{stream}.jpg");
      return;
    }
    String name = file.substring(0, file.length() - ".jpg".length());
    if (!allowed(exchange, name)) {
      return;
    }
    Optional<LiveStream> stream = streams.find(name);
    if (stream.isEmpty()) {
      sendError(exchange, StatusCodes.NOT_FOUND, "unknown-stream", "there is no stream named '" + name + "'");
      return;
    }
    int width;
    try {
      width = widthParameter(exchange);
    } catch (IllegalArgumentException e) {
      sendError(exchange, StatusCodes.BAD_REQUEST, "bad-request", e.getMessage());
      return;
    }
    respondLater(exchange, snapshots.frame(stream.get()), (ex, frame) -> {
      byte[] jpeg = JpegSnapshot.encode(frame, width);
      ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "image/jpeg");
      ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
      ex.getResponseSender().send(ByteBuffer.wrap(jpeg));
    });
  }

  private static int widthParameter(HttpServerExchange exchange) {
    Deque<String> values = exchange.getQueryParameters().get("width");
    if (values == null || values.isEmpty() || values.peekFirst().isEmpty()) {
      return 0;
    }
    try {
      int width = Integer.parseInt(values.peekFirst());
      if (width >= 16 && width <= MAX_SNAPSHOT_WIDTH) {
        return width;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("width must be a number from 16 to " + MAX_SNAPSHOT_WIDTH);
  }

  private void metrics(HttpServerExchange exchange) {
    // Without an admin token the metrics are public, as Prometheus scrapes expect by default.
    if (access.hasAdminToken() && !admin(exchange, "/metrics")) {
      return;
    }
    sendBytes(exchange, "text/plain; version=0.0.4; charset=utf-8",
        metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Checks the request's token for {@code stream}; sends 401 or 403 and returns false when refused. */
  private boolean allowed(HttpServerExchange exchange, String stream) {
    AccessPolicy.Verdict verdict = access.stream(stream, token(exchange));
    switch (verdict) {
      case ALLOWED -> {
        return true;
      }
      case FORBIDDEN -> sendError(exchange, StatusCodes.FORBIDDEN, "forbidden",
          "this token does not open stream '" + stream + "'");
      case MISSING -> unauthorized(exchange, "stream '" + stream + "' needs a token: add ?token=...");
      case WRONG -> unauthorized(exchange, "the token is not valid");
    }
    return false;
  }

  private boolean admin(HttpServerExchange exchange, String what) {
    if (!access.hasAdminToken()) {
      sendError(exchange, StatusCodes.FORBIDDEN, "disabled", what + " needs auth.adminToken set in the config");
      return false;
    }
    if (!access.isAdmin(token(exchange))) {
      unauthorized(exchange, what + " needs the admin token (?token= or Authorization: Bearer)");
      return false;
    }
    return true;
  }

  private static void unauthorized(HttpServerExchange exchange, String message) {
    exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
    sendError(exchange, StatusCodes.UNAUTHORIZED, "unauthorized", message);
  }

  /** The request's token: {@code ?token=} (what browsers can send on a WebSocket) or a Bearer header. */
  static String token(HttpServerExchange exchange) {
    Deque<String> query = exchange.getQueryParameters().get("token");
    if (query != null && !query.isEmpty()) {
      return query.peekFirst();
    }
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }

  private static String pathParameter(HttpServerExchange exchange, String name) {
    return exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get(name);
  }

  /**
   * Answers once {@code future} completes, without holding an I/O or worker thread while waiting;
   * the answer is built on a worker thread. A failure becomes 503 with its message.
   */
  private static <T> void respondLater(HttpServerExchange exchange, CompletableFuture<T> future,
      BiConsumer<HttpServerExchange, T> onValue) {
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> future.whenComplete((value, error) ->
        exchange.getConnection().getWorker().execute(() -> {
          try {
            if (error == null) {
              onValue.accept(exchange, value);
            } else {
              Throwable cause = error instanceof CompletionException && error.getCause() != null
                  ? error.getCause() : error;
              exchange.getResponseHeaders().put(Headers.RETRY_AFTER, 1);
              sendError(exchange, StatusCodes.SERVICE_UNAVAILABLE, "unavailable", String.valueOf(cause.getMessage()));
            }
          } catch (RuntimeException e) {
            log.warn("{} failed", exchange.getRequestPath(), e);
            if (!exchange.isResponseStarted()) {
              sendError(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "internal", "the gateway failed: " + e);
            } else {
              exchange.endExchange();
            }
          }
        })));
  }

  /**
   * Stops taking new connections and requests, then ends the sessions (each tells its viewer
   * goodbye), then closes what sockets remain and the listener.
   */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    root.shutdown();
    sessions.close();
    socket.closeAll("the gateway is shutting down");
    try {
      root.awaitShutdown(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
  }

  static void sendError(HttpServerExchange exchange, int status, String code, String message) {
    sendJson(exchange, status, Map.of("error", code, "message", message));
  }

  static void sendJson(HttpServerExchange exchange, int status, Object body) {
    try {
      exchange.setStatusCode(status);
      sendBytes(exchange, "application/json", JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sendBytes(HttpServerExchange exchange, String contentType, byte[] body) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  private static byte[] resource(String path) {
    try (InputStream in = GatewayServer.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the gateway jar lacks " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
