package io.webrtcgw.http;

import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.whep.WhepException;
import io.webrtcgw.signaling.whep.WhepSessions;
import io.webrtcgw.signaling.whep.WhepSessions.Precondition;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WHEP endpoint (draft-ietf-wish-whep): {@code POST /whep/{stream}} takes an offer and creates
 * a session resource {@code /whep/{stream}/{session}}, which takes {@code PATCH} (trickle ICE, ICE
 * restart) and {@code DELETE}. This is where WHEP's outcomes become HTTP status codes.
 */
final class WhepRoutes {
  private static final Logger log = LoggerFactory.getLogger(WhepRoutes.class);

  static final String SDP = "application/sdp";
  static final String SDP_FRAGMENT = "application/trickle-ice-sdpfrag";
  /** Seconds a viewer turned away as busy should wait; the viewer's own backoff tops out there too. */
  static final int RETRY_AFTER_SECONDS = 10;
  private static final String ENDPOINT_METHODS = "POST, OPTIONS";
  private static final String RESOURCE_METHODS = "PATCH, DELETE, OPTIONS";

  private static final HttpString LINK = new HttpString("Link");
  private static final HttpString ACCEPT_POST = new HttpString("Accept-Post");
  private static final HttpString ACCEPT_PATCH = new HttpString("Accept-Patch");
  private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
  private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
  private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
  private static final HttpString EXPOSE_HEADERS = new HttpString("Access-Control-Expose-Headers");
  private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
  private static final HttpString REQUEST_METHOD = new HttpString("Access-Control-Request-Method");

  private final WhepSessions whep;
  private final int maxBodyBytes;
  private final Authorizer authorizer;
  private final OriginGate origins;

  WhepRoutes(WhepSessions whep, int maxBodyBytes, Authorizer authorizer, OriginGate origins) {
    this.whep = whep;
    this.maxBodyBytes = maxBodyBytes;
    this.authorizer = authorizer;
    this.origins = origins;
  }

  /** Adds the WHEP routes to the gateway's routes. */
  void addTo(RoutingHandler routes) {
    routes.post("/whep/{stream}", this::create)
        .add(Methods.OPTIONS, "/whep/{stream}", exchange -> preflight(exchange, false))
        .add(Methods.PATCH, "/whep/{stream}/{session}", this::patch)
        .delete("/whep/{stream}/{session}", this::delete)
        .add(Methods.OPTIONS, "/whep/{stream}/{session}", exchange -> preflight(exchange, true));
  }

  private void create(HttpServerExchange exchange) {
    String stream = parameter(exchange, "stream");
    if (!admit(exchange, stream)) {
      return;
    }
    if (!hasContentType(exchange, SDP)) {
      exchange.getResponseHeaders().put(ACCEPT_POST, SDP);
      sendText(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, "send the offer with Content-Type: " + SDP);
      return;
    }
    String peer = String.valueOf(exchange.getSourceAddress());
    withBody(exchange, offer -> whep.create(stream, offer, peer), (done, created) -> {
      var headers = done.getResponseHeaders();
      headers.put(Headers.LOCATION, "/whep/" + pathSegment(stream) + "/" + created.sessionId());
      headers.put(Headers.ETAG, quoted(created.tag()));
      headers.put(ACCEPT_PATCH, SDP_FRAGMENT);
      links(whep.iceServersFor(created.sessionId())).forEach(link -> headers.add(LINK, link));
      done.setStatusCode(StatusCodes.CREATED);
      send(done, SDP, created.answer());
    });
  }

  private void patch(HttpServerExchange exchange) {
    String stream = parameter(exchange, "stream");
    String session = parameter(exchange, "session");
    if (!admit(exchange, stream)) {
      return;
    }
    if (!hasContentType(exchange, SDP_FRAGMENT)) {
      exchange.getResponseHeaders().put(ACCEPT_PATCH, SDP_FRAGMENT);
      sendText(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, "send ICE fragments with Content-Type: " + SDP_FRAGMENT);
      return;
    }
    Precondition precondition = precondition(exchange.getRequestHeaders().get(Headers.IF_MATCH));
    withBody(exchange, fragment -> whep.patch(stream, session, fragment, precondition), (done, patched) -> {
      if (patched instanceof WhepSessions.Restarted restarted) {
        done.getResponseHeaders().put(Headers.ETAG, quoted(restarted.tag()));
        done.setStatusCode(StatusCodes.OK);
        send(done, SDP_FRAGMENT, restarted.fragment());
      } else {
        done.setStatusCode(StatusCodes.NO_CONTENT);
        done.endExchange();
      }
    });
  }

  private void delete(HttpServerExchange exchange) {
    String stream = parameter(exchange, "stream");
    if (!admit(exchange, stream)) {
      return;
    }
    CompletableFuture<?> deleted = whep.delete(stream, parameter(exchange, "session"));
    later(exchange, deleted, (done, reason) -> {
      done.setStatusCode(StatusCodes.OK);
      done.endExchange();
    });
  }

  /**
   * A CORS preflight, which never asks for a token since browsers send none with it; or, on the
   * endpoint, a player asking for its ICE servers before it offers (as mediamtx's reader does):
   * those come as {@code Link} headers, with TURN credentials of their own, to a token that
   * opens the stream.
   */
  private void preflight(HttpServerExchange exchange, boolean resource) {
    boolean corsPreflight = exchange.getRequestHeaders().contains(REQUEST_METHOD);
    if (!resource && !corsPreflight) {
      if (!admit(exchange, parameter(exchange, "stream"))) {
        return;
      }
      links(whep.iceServersForNewViewer()).forEach(link -> exchange.getResponseHeaders().add(LINK, link));
    } else if (!allowOrigin(exchange)) {
      return;
    }
    String methods = resource ? RESOURCE_METHODS : ENDPOINT_METHODS;
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.ALLOW, methods);
    headers.put(ALLOW_METHODS, methods);
    headers.put(ALLOW_HEADERS, "Content-Type, Authorization, If-Match");
    headers.put(MAX_AGE, "600");
    if (resource) {
      headers.put(ACCEPT_PATCH, SDP_FRAGMENT);
    } else {
      headers.put(ACCEPT_POST, SDP);
    }
    exchange.setStatusCode(StatusCodes.NO_CONTENT);
    exchange.endExchange();
  }

  /** CORS, then the token: false when the request has been answered already. */
  private boolean admit(HttpServerExchange exchange, String stream) {
    if (!allowOrigin(exchange)) {
      return false;
    }
    if (!authorizer.allows(stream, bearerToken(exchange))) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
      sendText(exchange, StatusCodes.UNAUTHORIZED, "a valid bearer token is needed to watch '" + stream + "'");
      return false;
    }
    return true;
  }

  private boolean allowOrigin(HttpServerExchange exchange) {
    String origin = OriginGate.origin(exchange);
    if (origin == null) {
      return true; // not a browser's cross-origin request
    }
    if (!origins.allows(exchange)) {
      sendText(exchange, StatusCodes.FORBIDDEN, "pages from " + origin + " may not use this gateway");
      return false;
    }
    var headers = exchange.getResponseHeaders();
    headers.put(ALLOW_ORIGIN, origin);
    headers.add(Headers.VARY, "Origin");
    headers.put(EXPOSE_HEADERS, "Location, ETag, Link, Accept-Patch, Accept-Post, Retry-After");
    return true;
  }

  private static Optional<String> bearerToken(HttpServerExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /** Reads the body (bounded), runs {@code action} on it and answers once its future completes. */
  private <T> void withBody(HttpServerExchange exchange, Function<String, CompletableFuture<T>> action,
      BiConsumer<HttpServerExchange, T> onSuccess) {
    Receiver receiver = exchange.getRequestReceiver();
    receiver.setMaxBufferSize(maxBodyBytes);
    receiver.receiveFullBytes(
        (read, bytes) -> later(read, action.apply(new String(bytes, StandardCharsets.UTF_8)), onSuccess),
        (read, error) -> {
          if (error instanceof Receiver.RequestToLargeException) {
            sendText(read, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "the body is larger than " + maxBodyBytes + " bytes");
          } else {
            log.debug("WHEP request from {} broke off: {}", read.getSourceAddress(), error.toString());
            read.endExchange();
          }
        });
  }

  private <T> void later(HttpServerExchange exchange, CompletableFuture<T> future,
      BiConsumer<HttpServerExchange, T> onSuccess) {
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> future.whenComplete((result, error) -> {
      try {
        if (error == null) {
          onSuccess.accept(exchange, result);
        } else {
          fail(exchange, error);
        }
      } catch (RuntimeException e) {
        log.error("WHEP response failed", e);
        sendText(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "the gateway failed to answer");
      }
    }));
  }

  /** The one place where a failure of WHEP becomes a status code. */
  private static void fail(HttpServerExchange exchange, Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    int status;
    if (cause instanceof WhepException whep) {
      status = switch (whep.reason()) {
        case NO_SUCH_SESSION -> StatusCodes.NOT_FOUND;
        case PRECONDITION_FAILED -> StatusCodes.PRECONDITION_FAILED;
        case PRECONDITION_REQUIRED -> 428;
      };
    } else if (cause instanceof StreamBusyException) {
      status = StatusCodes.SERVICE_UNAVAILABLE;
    } else if (cause instanceof SignalingException signaling) {
      status = switch (signaling.code()) {
        case UNKNOWN_STREAM -> StatusCodes.NOT_FOUND;
        case BAD_SDP, NO_VIDEO, BAD_CANDIDATE, BAD_MESSAGE, BAD_JSON, NO_OFFER -> StatusCodes.BAD_REQUEST;
        case BUSY, SOURCE_UNAVAILABLE, RATE_LIMITED -> StatusCodes.SERVICE_UNAVAILABLE;
        case SOURCE_ENDED -> StatusCodes.GONE;
        case SOURCE_FAILED -> StatusCodes.BAD_GATEWAY;
        default -> StatusCodes.INTERNAL_SERVER_ERROR;
      };
    } else {
      log.error("WHEP request failed unexpectedly", cause);
      sendText(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "the gateway failed: " + cause);
      return;
    }
    if (status == StatusCodes.SERVICE_UNAVAILABLE) {
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    sendText(exchange, status, cause.getMessage());
  }

  /** {@code If-Match}: absent, {@code *}, or a list of entity tags (strong ones only can match). */
  static Precondition precondition(HeaderValues values) {
    if (values == null || values.isEmpty()) {
      return Precondition.NONE;
    }
    Set<String> tags = new LinkedHashSet<>();
    for (String value : values) {
      for (String tag : value.split(",")) {
        tag = tag.trim();
        if (tag.equals("*")) {
          return Precondition.ANY;
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
          tags.add(tag.substring(1, tag.length() - 1));
        } else if (!tag.isEmpty()) {
          tags.add(tag); // unquoted: not valid, but what some clients send; W/ tags never match
        }
      }
    }
    return Precondition.oneOf(tags);
  }

  /** ICE servers as RFC 8288 links, the way WHIP and WHEP hand them to players. */
  private static List<String> links(List<IceServer> iceServers) {
    return iceServers.stream()
        .flatMap(server -> server.urls().stream().map(url -> {
          StringBuilder link = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
          if (server.username() != null) {
            link.append("; username=").append(quoted(server.username()));
          }
          if (server.credential() != null) {
            link.append("; credential=").append(quoted(server.credential()))
                .append("; credential-type=\"password\"");
          }
          return link.toString();
        }))
        .toList();
  }

  private static boolean hasContentType(HttpServerExchange exchange, String expected) {
    String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String bare = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return bare.equals(expected);
  }

  private static String parameter(HttpServerExchange exchange, String name) {
    return exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get(name);
  }

  private static String pathSegment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void sendText(HttpServerExchange exchange, int status, String message) {
    exchange.setStatusCode(status);
    send(exchange, "text/plain; charset=utf-8", message + "\n");
  }

  private static void send(HttpServerExchange exchange, String contentType, String body) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }
}
