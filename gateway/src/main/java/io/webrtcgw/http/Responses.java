package io.webrtcgw.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the gateway's HTTP routes answer: JSON bodies, errors with a code and a message, later answers. */
final class Responses {
  private static final Logger log = LoggerFactory.getLogger(Responses.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Responses() {}

  static void sendError(HttpServerExchange exchange, int status, String code, String message) {
    sendJson(exchange, status, Map.of("error", code, "message", message));
  }

  static void sendJson(HttpServerExchange exchange, int status, Object body) {
    try {
      exchange.setStatusCode(status);
      sendBytes(exchange, "application/json", JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sendBytes(HttpServerExchange exchange, String contentType, byte[] body) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  /**
   * Answers once {@code future} completes, without holding an I/O or worker thread while waiting;
   * the answer is built on a worker thread. A failure becomes 503 with its message.
   */
  static <T> void later(HttpServerExchange exchange, CompletableFuture<T> future,
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
}
