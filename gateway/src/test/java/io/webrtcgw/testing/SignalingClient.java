package io.webrtcgw.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A plain WebSocket client for the gateway's signaling: sends text, queues what comes back. */
public final class SignalingClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** One client for all, on a fixed pool ({@link FixedPoolHttpClient}). */
  private static final HttpClient HTTP = FixedPoolHttpClient.builder("signaling-client").build();

  private final WebSocket socket;
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final Consumer<JsonNode> onMessage;
  /** java.net.http allows one send at a time, so sends are chained. */
  private CompletableFuture<WebSocket> lastSend;

  private SignalingClient(URI uri, Consumer<JsonNode> onMessage) throws Exception {
    this(HTTP.newWebSocketBuilder(), uri, onMessage);
  }

  private SignalingClient(WebSocket.Builder builder, URI uri, Consumer<JsonNode> onMessage) throws Exception {
    this.onMessage = onMessage;
    try {
      this.socket = builder.buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // The handshake's own exception (e.g. WebSocketHandshakeException with the HTTP response).
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    this.lastSend = CompletableFuture.completedFuture(socket);
  }

  /** Connects to any signaling URI (wss:, a ?token=) with a prepared builder (TLS trust, an Origin header). */
  public static SignalingClient connect(WebSocket.Builder builder, URI uri) throws Exception {
    return new SignalingClient(builder, uri, message -> {});
  }

  /** Connects to {@code /ws/stream?token=...} on loopback; a null token adds none. */
  public static SignalingClient connectWithToken(int port, String stream, String token) throws Exception {
    String query = token == null ? "" : "?token=" + token;
    return new SignalingClient(URI.create("ws://127.0.0.1:" + port + "/ws/" + stream + query), message -> {});
  }

  /** Connects to any signaling URI; {@code onMessage} sees every message first, on the socket's thread. */
  public static SignalingClient connect(URI uri, Consumer<JsonNode> onMessage) throws Exception {
    return new SignalingClient(uri, onMessage);
  }

  public static SignalingClient connect(int port, String stream) throws Exception {
    return connect(port, stream, message -> {});
  }

  /** Connects; {@code onMessage} sees every message first, on the socket's thread. */
  public static SignalingClient connect(int port, String stream, Consumer<JsonNode> onMessage) throws Exception {
    return new SignalingClient(URI.create("ws://127.0.0.1:" + port + "/ws/" + stream), onMessage);
  }

  public void send(String text) {
    sendAsync(text).join();
  }

  /** Sends text after any send still under way; a socket the gateway closed may refuse it. */
  public synchronized CompletableFuture<WebSocket> sendAsync(String text) {
    lastSend = lastSend.handle((ws, error) -> socket)
        .thenCompose(ws -> ws.sendText(text, true));
    return lastSend;
  }

  /** The next message of {@code type}, skipping others; fails on an unexpected error message. */
  public JsonNode expect(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode message = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
      if (message == null) {
        throw new AssertionError("no '" + type + "' message within " + timeout.toMillis() + " ms");
      }
      String got = message.path("type").asText();
      if (got.equals(type)) {
        return message;
      }
      if (got.equals("error")) {
        throw new AssertionError("gateway sent an error while waiting for '" + type + "': " + message);
      }
    }
  }

  /** Sends one binary frame. */
  public synchronized CompletableFuture<WebSocket> sendBinaryAsync(byte[] data) {
    lastSend = lastSend.handle((ws, error) -> socket)
        .thenCompose(ws -> ws.sendBinary(java.nio.ByteBuffer.wrap(data), true));
    return lastSend;
  }

  /**
   * The next message, or once the gateway closed the socket and every message before the close
   * was taken, {@code {"type":"close","code":N}}.
   */
  public JsonNode nextOrClose(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode message = messages.poll(20, TimeUnit.MILLISECONDS);
      if (message != null) {
        return message;
      }
      if (closed.isDone() && messages.isEmpty()) {
        return JSON.createObjectNode().put("type", "close").put("code", closed.join());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no message and no close within " + timeout.toMillis() + " ms");
      }
    }
  }

  /** The next message, whatever its type. */
  public JsonNode next(Duration timeout) throws InterruptedException {
    JsonNode message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (message == null) {
      throw new AssertionError("no message within " + timeout.toMillis() + " ms");
    }
    return message;
  }

  /** Every message received so far that no {@link #expect} has taken. */
  public java.util.List<JsonNode> drain() {
    java.util.List<JsonNode> out = new java.util.ArrayList<>();
    messages.drainTo(out);
    return out;
  }

  /** The gateway's close code, once it closes the socket. */
  public int awaitClose(Duration timeout) throws Exception {
    return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        socket.abort();
      }
    }
  }

  /** Drops the connection without a close handshake, as a vanished client would. */
  public void abort() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonNode message;
        try {
          message = JSON.readTree(text.toString());
        } catch (Exception e) {
          message = JSON.createObjectNode().put("type", "unparseable").put("text", text.toString());
        }
        text.setLength(0);
        onMessage.accept(message);
        messages.add(message);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }
}
