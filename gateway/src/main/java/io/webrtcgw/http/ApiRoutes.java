package io.webrtcgw.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.StatusCodes;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.metrics.GatewayMetrics;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.rtc.SessionStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The JSON API and the operator's endpoints: streams, sessions, metrics, health. */
final class ApiRoutes {
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final GatewayMetrics metrics;
  private final AccessGate access;

  ApiRoutes(StreamRegistry streams, SessionRegistry sessions, GatewayMetrics metrics, AccessGate access) {
    this.streams = streams;
    this.sessions = sessions;
    this.metrics = metrics;
    this.access = access;
  }

  void addTo(RoutingHandler routes) {
    routes.get("/api/streams", this::listStreams)
        .get("/api/sessions", this::listSessions)
        .get("/metrics", this::metrics)
        .get("/healthz", exchange -> Responses.sendJson(exchange, StatusCodes.OK,
            Map.of("status", "ok", "streams", streams.all().size(), "sessions", sessions.count())));
  }

  private void listStreams(HttpServerExchange exchange) {
    String token = AccessGate.token(exchange);
    Responses.sendJson(exchange, StatusCodes.OK, streams.describe().stream()
        .filter(info -> access.policy().stream(info.name(), token).allowed())
        .toList());
  }

  /** What {@code /api/sessions} says about one session; {@code tiles} only for a wall (whose stream is "(wall)"). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SessionInfo(String id, String stream, List<String> tiles, String started, double durationSeconds,
      String iceState, String codec, long bitrate, double fps, long bytesSent, String candidateType) {}

  private void listSessions(HttpServerExchange exchange) {
    if (!access.admin(exchange, "/api/sessions")) {
      return;
    }
    List<Session> all = sessions.all();
    List<CompletableFuture<SessionStats>> stats = new ArrayList<>();
    for (Session session : all) {
      stats.add(session.stats()
          .orTimeout(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .handle((report, error) -> error == null ? SessionStats.of(report) : SessionStats.EMPTY));
    }
    Responses.later(exchange, CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new)), (ex, ignored) -> {
      Instant now = Instant.now();
      List<SessionInfo> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        Session session = all.get(i);
        SessionStats s = stats.get(i).join();
        out.add(new SessionInfo(session.id(), session.streamName(), session.isWall() ? session.tileStreams() : null,
            session.started().toString(),
            Duration.between(session.started(), now).toMillis() / 1000.0,
            session.iceState().name().toLowerCase(Locale.ROOT),
            s.codec(), s.bitrate(), s.fps(), s.bytesSent(), s.candidateType()));
      }
      Responses.sendJson(ex, StatusCodes.OK, out);
    });
  }

  private void metrics(HttpServerExchange exchange) {
    // Without an admin token the metrics are public, as Prometheus scrapes expect by default.
    if (access.policy().hasAdminToken() && !access.admin(exchange, "/metrics")) {
      return;
    }
    Responses.sendBytes(exchange, "text/plain; version=0.0.4; charset=utf-8",
        metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
