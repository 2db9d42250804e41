package io.webrtcgw.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import io.webrtcgw.media.StreamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The viewer's pages: the stream list, one stream's viewer, the chromeless embed, and the wall of many. */
final class PageRoutes {
  private static final String HTML = "text/html; charset=utf-8";

  private final StreamRegistry streams;
  private final AccessGate access;
  private final byte[] indexPage = resource("web/index.html");
  private final byte[] viewPage = resource("web/view.html");
  private final byte[] embedPage = resource("web/embed.html");
  private final byte[] wallPage = resource("web/wall.html");

  PageRoutes(StreamRegistry streams, AccessGate access) {
    this.streams = streams;
    this.access = access;
  }

  void addTo(RoutingHandler routes) {
    routes.get("/", exchange -> Responses.sendBytes(exchange, HTML, indexPage))
        .get("/view/{stream}", exchange -> streamPage(exchange, viewPage))
        .get("/embed/{stream}", exchange -> streamPage(exchange, embedPage))
        // Each tile's stream and token are checked when the wall subscribes to it, so that a token
        // that opens only some of them plays those and shows the others refused.
        .get("/wall", exchange -> Responses.sendBytes(exchange, HTML, wallPage));
  }

  private void streamPage(HttpServerExchange exchange, byte[] page) {
    String stream = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("stream");
    if (!access.allowed(exchange, stream)) {
      return;
    }
    if (streams.find(stream).isEmpty()) {
      Responses.sendError(exchange, StatusCodes.NOT_FOUND, "unknown-stream", "there is no stream named '" + stream + "'");
      return;
    }
    Responses.sendBytes(exchange, HTML, page);
  }

  static byte[] resource(String path) {
    try (InputStream in = PageRoutes.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the gateway jar lacks " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
