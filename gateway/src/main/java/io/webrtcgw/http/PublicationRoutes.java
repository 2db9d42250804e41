package io.webrtcgw.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.StatusCodes;
import io.webrtcgw.publish.Publication;
import io.webrtcgw.publish.Publications;
import java.time.Instant;
import java.util.List;

/** The operator's view of the outgoing WHIP publications: {@code GET /api/publications}, admin token only. */
final class PublicationRoutes {
  private final Publications publications;
  private final AccessGate access;

  PublicationRoutes(Publications publications, AccessGate access) {
    this.publications = publications;
    this.access = access;
  }

  void addTo(RoutingHandler routes) {
    routes.get("/api/publications", this::list);
  }

  /**
   * What {@code /api/publications} says about one publication; the target's URL shows only as its
   * origin, since its path may hold a stream key.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PublicationInfo(String stream, String target, String origin, String state, String since,
      double stateSeconds, String codec, long bitrate, long targetBitrate, double fps, long bytesSent,
      String candidateType, long attempts, long reconnects, long iceRestarts, String lastError, String lastErrorAt,
      Double nextAttemptSeconds) {}

  private void list(HttpServerExchange exchange) {
    if (!access.admin(exchange, "/api/publications")) {
      return;
    }
    Instant now = Instant.now();
    List<PublicationInfo> out = publications.all().stream().map(Publication::status).map(s -> new PublicationInfo(
        s.stream(), s.target(), s.origin(), s.state().label(), s.since().toString(), seconds(s.since(), now),
        s.codec(), s.sentBitrate(), s.targetBitrate(), Math.round(s.fps() * 10) / 10.0, s.bytesSent(),
        s.candidateType(), s.attempts(), s.reconnects(), s.iceRestarts(), s.lastError(),
        s.lastErrorAt() == null ? null : s.lastErrorAt().toString(),
        s.nextAttempt() == null ? null : Math.max(0, -seconds(s.nextAttempt(), now)))).toList();
    Responses.sendJson(exchange, StatusCodes.OK, out);
  }

  private static double seconds(Instant from, Instant to) {
    return (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
  }
}
