package io.webrtcgw.publish;

import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.PublishConfig;
import io.webrtcgw.config.SecretMask;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The HTTP half of WHIP (RFC 9725) for one target: OPTIONS for the endpoint's ICE servers, POST of
 * the offer, PATCH for late candidates and ICE restarts, DELETE at the end. Every request carries
 * the target's Bearer token and has a deadline; every failure becomes a {@link WhipException}
 * whose message names the target, never its token or its path.
 */
final class WhipClient {
  static final String SDP = "application/sdp";
  static final String FRAGMENT = "application/trickle-ice-sdpfrag";
  /** Answers larger than this are cut off: an SDP answer or fragment is a few KB. */
  static final int MAX_BODY_BYTES = 256 * 1024;
  private static final int MAX_SHOWN_BODY = 160;

  /** What the endpoint answered to the offer. */
  record Published(URI resource, String etag, String answer, List<IceServer> iceServers) {}

  /** The endpoint's side of an ICE restart: its fragment and the resource's new entity tag (or null). */
  record Restarted(String etag, String fragment) {}

  private record Reply(int status, HttpResponse<InputStream> response, String body) {}

  private final HttpClient http;
  private final PublishConfig target;
  private final Duration timeout;
  private final Clock clock;

  WhipClient(HttpClient http, PublishConfig target, Duration timeout, Clock clock) {
    this.http = http;
    this.target = target;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * The ICE servers the endpoint names in its answer to OPTIONS, before the offer is made; none
   * when it names none or does not answer OPTIONS. Fails only when the endpoint cannot be reached.
   */
  CompletableFuture<List<IceServer>> iceServers() {
    return send("OPTIONS", request(target.url()).method("OPTIONS", HttpRequest.BodyPublishers.noBody()))
        .thenApply(reply -> reply.status / 100 == 2
            ? IceServerLinks.parse(reply.response.headers().allValues("Link"))
            : List.<IceServer>of());
  }

  /** POSTs the offer; 201 with an SDP answer and a {@code Location} is success, anything else fails. */
  CompletableFuture<Published> publish(String offer) {
    return send("POST", request(target.url()).header("Content-Type", SDP)
        .POST(HttpRequest.BodyPublishers.ofString(offer)))
        .thenApply(reply -> {
          expect(reply, "POST", 201);
          String location = reply.response.headers().firstValue("Location").orElse(null);
          if (location == null || location.isBlank()) {
            throw failure(new WhipException(Failure.PROTOCOL, reply.status, null,
                "POST to " + describe() + " answered 201 without a Location"));
          }
          if (!reply.body.startsWith("v=0")) {
            throw failure(new WhipException(Failure.PROTOCOL, reply.status, null,
                "POST to " + describe() + " answered 201 without an SDP answer"));
          }
          URI resource;
          try {
            resource = reply.response.uri().resolve(location.trim());
          } catch (IllegalArgumentException e) {
            throw failure(new WhipException(Failure.PROTOCOL, reply.status, null,
                "POST to " + describe() + " answered with a Location that is not a URL"));
          }
          return new Published(resource, reply.response.headers().firstValue("ETag").orElse(null), reply.body,
              IceServerLinks.parse(reply.response.headers().allValues("Link")));
        });
  }

  /** PATCHes candidates of the current ICE session; 204 (or 200) is success. */
  CompletableFuture<Void> trickle(URI resource, String etag, String fragment) {
    HttpRequest.Builder request = request(resource).header("Content-Type", FRAGMENT)
        .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment));
    if (etag != null) {
      request.header("If-Match", etag);
    }
    return send("PATCH", request).thenApply(reply -> {
      expect(reply, "PATCH", 204, 200);
      return null;
    });
  }

  /** PATCHes an ICE restart (new credentials, {@code If-Match: *}); 200 with the endpoint's fragment is success. */
  CompletableFuture<Restarted> restart(URI resource, String fragment) {
    return send("PATCH", request(resource).header("Content-Type", FRAGMENT).header("If-Match", "*")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment)))
        .thenApply(reply -> {
          expect(reply, "ICE restart PATCH", 200);
          return new Restarted(reply.response.headers().firstValue("ETag").orElse(null), reply.body);
        });
  }

  /** DELETEs the resource; completes with the status, or fails when the endpoint cannot be reached. */
  CompletableFuture<Integer> delete(URI resource) {
    return delete(resource, timeout);
  }

  /** As {@link #delete(URI)}, waiting at most {@code deadline} for the answer. */
  CompletableFuture<Integer> delete(URI resource, Duration deadline) {
    return send("DELETE", request(resource).timeout(deadline).DELETE()).thenApply(Reply::status);
  }

  /** The target as it may be shown: its name and origin. */
  String describe() {
    return target.name() + " (" + target.origin() + ")";
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
    if (target.token() != null) {
      builder.header("Authorization", "Bearer " + target.token());
    }
    return builder;
  }

  private CompletableFuture<Reply> send(String method, HttpRequest.Builder request) {
    CompletableFuture<HttpResponse<InputStream>> sent;
    try {
      sent = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new WhipException(Failure.UNREACHABLE, method + " to " + describe() + " could not be sent: " + mask(e.getMessage())));
    }
    return sent.handle((response, error) -> {
      if (error != null) {
        throw failure(unreachable(method, error));
      }
      return new Reply(response.statusCode(), response, read(response));
    });
  }

  private WhipException unreachable(String method, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why;
    if (cause instanceof HttpTimeoutException) {
      why = "no answer within " + timeout.toMillis() + " ms";
    } else if (cause instanceof ConnectException) {
      why = "cannot connect" + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    } else {
      why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
    return new WhipException(Failure.UNREACHABLE, method + " to " + describe() + ": " + mask(why));
  }

  /** The body as text, at most {@link #MAX_BODY_BYTES}. */
  private static String read(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void expect(Reply reply, String what, int... wanted) {
    for (int status : wanted) {
      if (reply.status == status) {
        return;
      }
    }
    Failure failure;
    if (reply.status == 408 || reply.status == 429 || reply.status / 100 == 5) {
      failure = Failure.SERVER_ERROR;
    } else if (reply.status / 100 == 4) {
      failure = Failure.REFUSED;
    } else {
      failure = Failure.PROTOCOL;
    }
    String body = reply.body.replaceAll("\\s+", " ").trim();
    if (body.length() > MAX_SHOWN_BODY) {
      body = body.substring(0, MAX_SHOWN_BODY - 3) + "...";
    }
    throw failure(new WhipException(failure, reply.status, retryAfter(reply.response),
        what + " to " + describe() + " answered " + reply.status + (body.isEmpty() ? "" : ": " + mask(body))));
  }

  /** {@code Retry-After} as seconds or as an HTTP date; null when absent or unreadable. */
  private Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse(null);
    if (value == null) {
      return null;
    }
    value = value.trim();
    if (value.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Text from the endpoint or the network, without the token or the endpoint's path. */
  private String mask(String text) {
    String path = target.url().getRawPath();
    return SecretMask.text(text, target.token(), path == null || path.length() < 3 ? null : path);
  }

  private static CompletionException failure(WhipException e) {
    return new CompletionException(e);
  }

  /** The {@link WhipException} behind a failed stage, or one that says what else went wrong. */
  WhipException unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof WhipException whip ? whip
        : new WhipException(Failure.UNREACHABLE, "a request to " + describe() + " failed: " + mask(cause.toString()));
  }
}
