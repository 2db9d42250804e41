package io.webrtcgw.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.rtc.WhepSessions;
import io.webrtcgw.signaling.CloseCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP edge: pages, static viewer files, the JSON API, health and the signaling socket. */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ViewerSocket socket;
  private final GracefulShutdownHandler root;
  private final Undertow undertow;
  private final byte[] indexPage;
  private final byte[] viewPage;
  private boolean stopped;

  public GatewayServer(GatewayConfig config, StreamRegistry streams, SessionRegistry sessions,
      ScheduledExecutorService timers) {
    this.streams = streams;
    this.sessions = sessions;
    this.socket = new ViewerSocket(streams, sessions, timers, config.limits().offerTimeout(),
        config.limits().maxMessageBytes());
    this.indexPage = resource("web/index.html");
    this.viewPage = resource("web/view.html");

    ResourceHandler files = Handlers.resource(new ClassPathResourceManager(GatewayServer.class.getClassLoader(), "web/"))
        .setCacheTime(300)
        .setDirectoryListingEnabled(false);
    RoutingHandler routes = Handlers.routing()
        .get("/", exchange -> sendBytes(exchange, "text/html; charset=utf-8", indexPage))
        .get("/view/{stream}", this::viewPage)
        .get("/ws/{stream}", socket.handler())
        .get("/api/streams", exchange -> sendJson(exchange, StatusCodes.OK, streams.describe()))
        .get("/healthz", exchange -> sendJson(exchange, StatusCodes.OK,
            Map.of("status", "ok", "streams", streams.all().size(), "sessions", sessions.count())))
        .setFallbackHandler(exchange -> sendJson(exchange, StatusCodes.NOT_FOUND,
            Map.of("error", "not-found", "message", "no such path: " + exchange.getRequestPath())))
        .setInvalidMethodHandler(exchange -> sendJson(exchange, StatusCodes.METHOD_NOT_ALLOWED,
            Map.of("error", "method-not-allowed", "message", exchange.getRequestMethod() + " is not allowed here")));
    new WhepHandler(
        new WhepSessions(streams, sessions, timers, WhepSessions.Timeouts.defaults(config.limits().offerTimeout())),
        sessions.iceServers(), config.limits().maxMessageBytes(), Authorizer.ALLOW_ALL, CorsOrigins.any())
        .addTo(routes);
    HttpHandler paths = Handlers.path(routes).addPrefixPath("/web", files);
    this.root = Handlers.gracefulShutdown(paths);
    this.undertow = Undertow.builder()
        .addHttpListener(config.port(), config.host())
        .setHandler(root)
        .build();
  }

  public void start() {
    undertow.start();
    log.info("serving on http://{}:{}/ ({} streams)", hostForLog(), port(), streams.all().size());
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  private String hostForLog() {
    InetSocketAddress address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    return address.getAddress().isAnyLocalAddress() ? "localhost" : address.getHostString();
  }

  private void viewPage(HttpServerExchange exchange) {
    String stream = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("stream");
    if (streams.find(stream).isEmpty()) {
      sendJson(exchange, StatusCodes.NOT_FOUND, Map.of("error", "unknown-stream",
          "message", "there is no stream named '" + stream + "'"));
      return;
    }
    sendBytes(exchange, "text/html; charset=utf-8", viewPage);
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
    socket.closeAll(CloseCodes.GOING_AWAY, "shutting down");
    try {
      root.awaitShutdown(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
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
