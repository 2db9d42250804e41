package io.webrtcgw.http;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.StatusCodes;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.media.Snapshots;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.metrics.GatewayMetrics;
import io.webrtcgw.publish.Publications;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.security.AccessPolicy;
import io.webrtcgw.security.HostPolicy;
import io.webrtcgw.security.OriginPolicy;
import io.webrtcgw.security.TlsContexts;
import io.webrtcgw.signaling.whep.WhepSessions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: one Undertow listener carrying the route families (pages and static files, the
 * JSON API, publications, snapshots, the signaling WebSocket, WHEP) behind {@link HttpEdge}.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(5);

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ViewerSocket socket;
  private final GracefulShutdownHandler root;
  private final Undertow undertow;
  private final String scheme;
  private boolean stopped;

  public GatewayServer(GatewayConfig config, StreamRegistry streams, SessionRegistry sessions,
      ScheduledExecutorService timers, GatewayMetrics metrics, Publications publications) {
    this.streams = streams;
    this.sessions = sessions;
    this.scheme = config.tls() == null ? "http" : "https";
    AccessGate access = new AccessGate(new AccessPolicy(config.auth(), config.streams()));
    OriginGate origins = new OriginGate(new OriginPolicy(config.allowedOrigins()), config.publicUrl());
    this.socket = new ViewerSocket(streams, sessions, timers, config.limits().offerTimeout(),
        config.limits().maxMessageBytes(), access.policy(), origins, metrics);

    RoutingHandler routes = Handlers.routing()
        .get("/ws/{stream}", socket.handler())
        .get("/ws", socket.handler())
        .setFallbackHandler(exchange -> Responses.sendError(exchange, StatusCodes.NOT_FOUND,
            "not-found", "no such path: " + exchange.getRequestPath()))
        .setInvalidMethodHandler(exchange -> Responses.sendError(exchange, StatusCodes.METHOD_NOT_ALLOWED,
            "method-not-allowed", exchange.getRequestMethod() + " is not allowed here"));
    new PageRoutes(streams, access).addTo(routes);
    new ApiRoutes(streams, sessions, metrics, access).addTo(routes);
    new PublicationRoutes(publications, access).addTo(routes);
    new SnapshotRoutes(streams, new Snapshots(SNAPSHOT_TIMEOUT, timers), access).addTo(routes);
    new WhepRoutes(
        new WhepSessions(streams, sessions, timers, WhepSessions.Timeouts.defaults(config.limits().offerTimeout())),
        config.limits().maxMessageBytes(),
        (stream, token) -> access.policy().stream(stream, token.orElse(null)).allowed(), origins)
        .addTo(routes);
    HttpHandler paths = Handlers.path(routes)
        .addPrefixPath("/web", new StaticFiles(GatewayServer.class.getClassLoader(), "web/"));
    HostPolicy hosts = new HostPolicy(config.publicUrl(), config.allowedHosts(), HostPolicy.machineNames());
    this.root = Handlers.gracefulShutdown(new HttpEdge(paths, hosts, config.frameAncestors()));
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
}
