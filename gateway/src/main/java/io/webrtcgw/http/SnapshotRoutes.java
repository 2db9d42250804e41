package io.webrtcgw.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import io.webrtcgw.media.JpegSnapshot;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.Snapshots;
import io.webrtcgw.media.StreamRegistry;
import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.Optional;

/** {@code GET /snapshot/{stream}.jpg[?width=N]}: the stream's current picture as a JPEG. */
final class SnapshotRoutes {
  private static final int MAX_SNAPSHOT_WIDTH = 3840;

  private final StreamRegistry streams;
  private final Snapshots snapshots;
  private final AccessGate access;

  SnapshotRoutes(StreamRegistry streams, Snapshots snapshots, AccessGate access) {
    this.streams = streams;
    this.snapshots = snapshots;
    this.access = access;
  }

  void addTo(RoutingHandler routes) {
    routes.get("/snapshot/{file}", this::snapshot);
  }

  private void snapshot(HttpServerExchange exchange) {
    String file = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("file");
    if (!file.endsWith(".jpg")) {
      Responses.sendError(exchange, StatusCodes.NOT_FOUND, "not-found", "snapshots are at /snapshot/{stream}.jpg");
      return;
    }
    String name = file.substring(0, file.length() - ".jpg".length());
    if (!access.allowed(exchange, name)) {
      return;
    }
    Optional<LiveStream> stream = streams.find(name);
    if (stream.isEmpty()) {
      Responses.sendError(exchange, StatusCodes.NOT_FOUND, "unknown-stream", "there is no stream named '" + name + "'");
      return;
    }
    int width;
    try {
      width = widthParameter(exchange);
    } catch (IllegalArgumentException e) {
      Responses.sendError(exchange, StatusCodes.BAD_REQUEST, "bad-request", e.getMessage());
      return;
    }
    Responses.later(exchange, snapshots.frame(stream.get()), (ex, frame) -> {
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
}
