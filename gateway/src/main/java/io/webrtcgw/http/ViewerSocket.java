package io.webrtcgw.http;

import io.undertow.server.HttpHandler;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import io.undertow.util.PathTemplateMatch;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.security.AccessPolicy;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingMeter;
import io.webrtcgw.signaling.websocket.CloseCodes;
import io.webrtcgw.signaling.websocket.MessageCodec;
import io.webrtcgw.signaling.websocket.MeteredChannel;
import io.webrtcgw.signaling.websocket.ServerMessage;
import io.webrtcgw.signaling.websocket.SignalingChannel;
import io.webrtcgw.signaling.websocket.ViewerSignaling;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * The WebSocket endpoints {@code /ws/{stream}} (one stream) and {@code /ws} (a wall of the streams
 * the viewer subscribes to): one {@link ViewerSignaling} per connection.
 */
final class ViewerSocket implements WebSocketConnectionCallback {
  private static final Logger log = LoggerFactory.getLogger(ViewerSocket.class);
  private static final AttachmentKey<String> STREAM = AttachmentKey.create(String.class);
  private static final AttachmentKey<String> TOKEN = AttachmentKey.create(String.class);
  /**
   * What one more video section may add to a wall's offer: a browser's section lists every codec
   * it has (Chromium's is 3-5 KB), repeated per tile.
   */
  static final int WALL_BYTES_PER_TILE = 6 * 1024;

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ScheduledExecutorService timers;
  private final Duration offerTimeout;
  private final int maxMessageBytes;
  private final AccessPolicy access;
  private final OriginGate origins;
  private final SignalingMeter meter;
  private final Map<WebSocketChannel, SignalingChannel> open = new ConcurrentHashMap<>();

  /** @param meter counts what each connection carries */
  ViewerSocket(StreamRegistry streams, SessionRegistry sessions, ScheduledExecutorService timers,
      Duration offerTimeout, int maxMessageBytes, AccessPolicy access, OriginGate origins,
      SignalingMeter meter) {
    this.streams = streams;
    this.sessions = sessions;
    this.timers = timers;
    this.offerTimeout = offerTimeout;
    this.maxMessageBytes = maxMessageBytes;
    this.access = access;
    this.origins = origins;
    this.meter = meter;
  }

  /**
   * The upgrade handler; the stream name comes from the {@code {stream}} path parameter, and a path
   * without one opens a wall. A page
   * from an origin that is not allowed gets 403 before any upgrade, so no session exists for it.
   */
  HttpHandler handler() {
    WebSocketProtocolHandshakeHandler upgrade = new WebSocketProtocolHandshakeHandler(this);
    return exchange -> {
      String origin = OriginGate.origin(exchange);
      if (!origins.allows(exchange)) {
        log.info("refused a signaling socket from origin {}: not in allowedOrigins", origin);
        Responses.sendError(exchange, StatusCodes.FORBIDDEN, "forbidden-origin",
            "pages from " + origin + " may not open this gateway's signaling socket");
        return;
      }
      PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
      String stream = match == null ? null : match.getParameters().get("stream");
      if (stream != null) {
        exchange.putAttachment(STREAM, stream);
      }
      exchange.putAttachment(TOKEN, AccessGate.token(exchange));
      upgrade.handleRequest(exchange);
    };
  }

  /** Connections still open, for shutdown. */
  int openCount() {
    return open.size();
  }

  @Override
  public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
    String stream = exchange.getAttachment(STREAM);
    String token = exchange.getAttachment(TOKEN);
    SignalingChannel signalingChannel = new MeteredChannel(new SocketChannel(channel), meter);
    if (stream != null) {
      AccessPolicy.Verdict verdict = access.stream(stream, token);
      if (!verdict.allowed()) {
        refuse(channel, signalingChannel, stream, verdict);
        return;
      }
    }
    // A wall's token is checked per tile: one that opens only some of its streams plays those.
    int limit = stream == null ? maxMessageBytes + sessions.maxTiles() * WALL_BYTES_PER_TILE : maxMessageBytes;
    ViewerSignaling signaling = new ViewerSignaling(stream, name -> access.stream(name, token), signalingChannel,
        streams, sessions, timers, offerTimeout, System::nanoTime);
    open.put(channel, signalingChannel);
    channel.addCloseTask(closed -> {
      open.remove(closed);
      signaling.closed();
    });
    channel.getReceiveSetter().set(new AbstractReceiveListener() {
      @Override
      protected long getMaxTextBufferSize() {
        // A backstop against unbounded buffering; the exact limit is checked below, because
        // Undertow lets a single frame somewhat over its buffer limit through.
        return 2L * limit;
      }

      @Override
      protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
        String text = message.getData();
        // Characters never outnumber UTF-8 bytes, so this never rejects a message within the limit.
        if (text.length() > limit) {
          signalingChannel.close(CloseCodes.TOO_BIG, "message larger than " + limit + " bytes");
          return;
        }
        signaling.received(text);
      }

      @Override
      protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
        message.getData().free();
        signalingChannel.send(ServerMessage.Error.of(ErrorCode.BAD_JSON,
            "binary messages are not accepted; send JSON text"));
      }

      @Override
      protected long getMaxBinaryBufferSize() {
        return maxMessageBytes;
      }

      @Override
      protected void onError(WebSocketChannel ch, Throwable error) {
        log.debug("signaling socket from {} failed: {}", signalingChannel.peer(), error.toString());
        IoUtils.safeClose(ch);
      }
    });
    channel.resumeReceives();
    signaling.opened();
  }

  /**
   * Closes a socket whose token does not open the stream: 4401 for a missing or wrong token, 4403
   * for a token of another stream. It is upgraded first because browsers show a refused upgrade
   * only as 1006, which a player cannot tell from a network failure.
   */
  private static void refuse(WebSocketChannel channel, SignalingChannel signalingChannel, String stream,
      AccessPolicy.Verdict verdict) {
    switch (verdict) {
      case FORBIDDEN -> {
        signalingChannel.send(ServerMessage.Error.of(ErrorCode.FORBIDDEN,
            "this token does not open stream '" + stream + "'"));
        signalingChannel.close(CloseCodes.FORBIDDEN, "forbidden");
      }
      case MISSING -> {
        signalingChannel.send(ServerMessage.Error.of(ErrorCode.UNAUTHORIZED,
            "stream '" + stream + "' needs a token: add ?token=... to the URL"));
        signalingChannel.close(CloseCodes.UNAUTHORIZED, "unauthorized");
      }
      default -> {
        signalingChannel.send(ServerMessage.Error.of(ErrorCode.UNAUTHORIZED, "the token is not valid"));
        signalingChannel.close(CloseCodes.UNAUTHORIZED, "unauthorized");
      }
    }
    // Reading on lets the viewer's close frame complete the closing handshake.
    channel.getReceiveSetter().set(new AbstractReceiveListener() {});
    channel.resumeReceives();
  }

  /**
   * Says bye to every socket still open and closes it (1001); used at shutdown after the sessions
   * said theirs, so this reaches the viewers that had not offered yet.
   */
  void closeAll(String reason) {
    for (SignalingChannel channel : open.values()) {
      channel.send(new ServerMessage.Bye(reason));
      channel.close(CloseCodes.GOING_AWAY, "shutting down");
    }
  }

  /** {@link SignalingChannel} over one Undertow WebSocket. */
  private static final class SocketChannel implements SignalingChannel {
    private final WebSocketChannel channel;
    // Set before the close frame is queued: Undertow marks the frame sent only once it is written,
    // and nothing may follow it.
    private final AtomicBoolean closing = new AtomicBoolean();

    SocketChannel(WebSocketChannel channel) {
      this.channel = channel;
    }

    @Override
    public void send(ServerMessage message) {
      if (!isOpen()) {
        return;
      }
      WebSockets.sendText(MessageCodec.encode(message), channel, null);
    }

    @Override
    public void close(int code, String reason) {
      if (!closing.compareAndSet(false, true) || !channel.isOpen() || channel.isCloseFrameSent()) {
        return;
      }
      WebSockets.sendClose(new CloseMessage(code, reason), channel, null);
    }

    @Override
    public boolean isOpen() {
      return !closing.get() && channel.isOpen() && !channel.isCloseFrameSent();
    }

    @Override
    public String peer() {
      return String.valueOf(channel.getSourceAddress());
    }
  }
}
