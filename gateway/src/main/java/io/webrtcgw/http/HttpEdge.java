package io.webrtcgw.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import io.webrtcgw.security.HostPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request meets first: a {@code Host} the gateway answers to (else 421, against DNS
 * rebinding), the headers every response carries, and CORS preflights. Responses hold no cookies
 * or ambient credentials (tokens travel in the URL or an Authorization header), so any origin may
 * read them; {@code Referrer-Policy} keeps tokens in page URLs from leaking to other sites.
 */
final class HttpEdge implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(HttpEdge.class);
  static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
  private static final HttpString REQUEST_METHOD = new HttpString("Access-Control-Request-Method");
  private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
  private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
  private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
  private static final HttpString CSP = new HttpString("Content-Security-Policy");
  private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");
  private static final int MISDIRECTED_REQUEST = 421;

  private final HttpHandler next;
  private final HostPolicy hosts;
  private final String frameAncestors;

  HttpEdge(HttpHandler next, HostPolicy hosts, String frameAncestors) {
    this.next = next;
    this.hosts = hosts;
    this.frameAncestors = frameAncestors;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    HeaderMap headers = exchange.getResponseHeaders();
    headers.put(NOSNIFF, "nosniff");
    headers.put(CSP, "frame-ancestors " + frameAncestors);
    headers.put(REFERRER_POLICY, "no-referrer");
    String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
    if (!hosts.allows(host)) {
      log.info("refused a request for host {}: not one of the gateway's names (allowedHosts, publicUrl)", host);
      Responses.sendError(exchange, MISDIRECTED_REQUEST, "unknown-host", "this gateway does not answer to host '"
          + host + "'; add it to allowedHosts or set publicUrl in the gateway's config");
      return;
    }
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
  }
}
