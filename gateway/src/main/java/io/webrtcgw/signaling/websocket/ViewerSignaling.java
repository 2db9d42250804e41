package io.webrtcgw.signaling.websocket;

import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.rtc.OfferCheck;
import io.webrtcgw.security.AccessPolicy;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.SourceNotice;
import io.webrtcgw.signaling.TokenBucket;
import io.webrtcgw.signaling.ViewerPort;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One viewer's conversation over the WebSocket: decodes messages, reports bad ones, drives the
 * viewer's {@link Session} and turns what the session says into messages and close codes. Calls
 * come in order from the transport.
 *
 * <p>On {@code /ws/{stream}} the session sends that stream. On {@code /ws} (a wall) it sends the
 * streams the viewer subscribes to, one per media section: each subscription is checked on its
 * own (stream, token, viewer limits, the session's tile limit), and one refused gets an error
 * naming its tile while the session and the other tiles go on.
 */
public final class ViewerSignaling {
  /**
   * Offers that reach libwebrtc, per connection. A viewer offers once and again for each ICE
   * restart, seconds apart; each offer costs a negotiation on the session's thread (and, in
   * webrtc-java 0.14.0, leaks its answer's description), so a quick series would pile up work.
   */
  static final int OFFER_BURST = 5;
  static final double OFFERS_PER_SECOND = 0.5;
  /**
   * Every message, per connection: far above what a viewer sends (an offer, a dozen candidates, a
   * viewport change now and then). Past it the socket is closed, which bounds the replies queued
   * for a peer that sends without reading.
   */
  static final int MESSAGE_BURST = 200;
  static final double MESSAGES_PER_SECOND = 50;

  private final String streamName;
  private final Function<String, AccessPolicy.Verdict> tileAccess;
  private final SignalingChannel channel;
  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ScheduledExecutorService timers;
  private final Duration offerTimeout;
  private final TokenBucket offerRate;
  private final TokenBucket messageRate;
  private final SourceListener sourceListener = this::sourceChanged;
  private String id;
  private LiveStream stream;
  private Session session;
  private ScheduledFuture<?> offerTimer;
  private boolean offered;
  private boolean closed;
  /** A wall's tiles by mid, as subscribed; the session drops one only by telling (see Port). */
  private final Map<String, Subscription> tiles = new LinkedHashMap<>();

  /** @param nanoTime a monotonic clock for the rate limits, {@code System::nanoTime} outside tests */
  public ViewerSignaling(String streamName, SignalingChannel channel, StreamRegistry streams,
      SessionRegistry sessions, ScheduledExecutorService timers, Duration offerTimeout, LongSupplier nanoTime) {
    this(streamName, stream -> AccessPolicy.Verdict.ALLOWED, channel, streams, sessions, timers, offerTimeout,
        nanoTime);
  }

  /**
   * @param streamName the stream of a single-stream socket, or null for a wall's
   * @param tileAccess whether the connection's token opens a stream, for a wall's subscriptions (a
   *     single stream's socket is checked before it opens)
   */
  public ViewerSignaling(String streamName, Function<String, AccessPolicy.Verdict> tileAccess,
      SignalingChannel channel, StreamRegistry streams, SessionRegistry sessions, ScheduledExecutorService timers,
      Duration offerTimeout, LongSupplier nanoTime) {
    this.streamName = streamName;
    this.tileAccess = tileAccess;
    this.channel = channel;
    this.streams = streams;
    this.sessions = sessions;
    this.timers = timers;
    this.offerTimeout = offerTimeout;
    this.offerRate = new TokenBucket(OFFER_BURST, OFFERS_PER_SECOND, nanoTime);
    this.messageRate = new TokenBucket(MESSAGE_BURST, MESSAGES_PER_SECOND, nanoTime);
  }

  public synchronized void opened() {
    if (isWall()) {
      id = sessions.newId();
      channel.send(new ServerMessage.Hello(id, null, sessions.iceServersFor(id)));
      offerTimer = timers.schedule(this::offerTimedOut, offerTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    Optional<LiveStream> found = streams.find(streamName);
    if (found.isEmpty()) {
      channel.send(ServerMessage.Error.of(ErrorCode.UNKNOWN_STREAM, "there is no stream named '" + streamName + "'"));
      channel.close(CloseCodes.UNKNOWN_STREAM, "unknown stream");
      closed = true;
      return;
    }
    stream = found.get();
    id = sessions.newId();
    channel.send(new ServerMessage.Hello(id, streamName, sessions.iceServersFor(id)));
    stream.addListener(sourceListener);
    sourceChanged(stream.source().state(), stream.source().lastError());
    offerTimer = timers.schedule(this::offerTimedOut, offerTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public synchronized void received(String text) {
    if (closed || !channel.isOpen()) {
      return; // what arrives after the gateway's close frame has no one to answer it
    }
    if (!messageRate.tryTake()) {
      channel.close(CloseCodes.TOO_MANY_MESSAGES, "too many messages");
      return;
    }
    ClientMessage message;
    try {
      message = MessageCodec.decode(text);
    } catch (SignalingException e) {
      channel.send(ServerMessage.Error.of(e.code(), e.getMessage()));
      return;
    }
    if (message instanceof ClientMessage.Offer offer) {
      onOffer(offer);
    } else if (message instanceof ClientMessage.Trickle trickle) {
      if (!hasSession()) {
        channel.send(ServerMessage.Error.of(ErrorCode.NO_OFFER, session == null
            ? "send an offer before candidates"
            : "the session ended; send a new offer before candidates"));
      } else {
        session.addCandidate(trickle.toCandidate());
      }
    } else if (message instanceof ClientMessage.Viewport viewport) {
      onViewport(viewport);
    } else if (message instanceof ClientMessage.Subscribe subscribe) {
      onSubscribe(subscribe);
    } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
      onUnsubscribe(unsubscribe);
    }
  }

  private boolean isWall() {
    return streamName == null;
  }

  /** {@link MessageCodec#decode} has checked the fields: width and height in range, visible present. */
  private void onViewport(ClientMessage.Viewport viewport) {
    if (isWall()) {
      if (viewport.mid() == null || !tiles.containsKey(viewport.mid())) {
        String mid = viewport.mid() == null ? null : MessageCodec.abbreviate(viewport.mid());
        channel.send(ServerMessage.Error.ofTile(ErrorCode.BAD_MESSAGE, mid == null
            ? "a wall's viewport needs the mid of the tile it is about"
            : "no tile is subscribed on mid '" + mid + "'", mid, null));
      } else if (hasSession()) {
        session.viewport(viewport.mid(), viewport.width(), viewport.height(), viewport.visible());
      }
      return;
    }
    // Before the first offer there is no encoder to cap; the player reports again after the answer.
    if (session != null) {
      session.viewport(viewport.width(), viewport.height(), viewport.visible());
    }
  }

  private void onSubscribe(ClientMessage.Subscribe subscribe) {
    String mid = subscribe.mid();
    String name = subscribe.stream();
    if (!isWall()) {
      channel.send(ServerMessage.Error.of(ErrorCode.BAD_MESSAGE,
          "subscribe is for a wall's socket (/ws); this one carries stream '" + streamName + "'"));
      return;
    }
    if (tiles.containsKey(mid)) {
      refuseTile(ErrorCode.BAD_MESSAGE, "mid '" + mid + "' already carries stream '" + tiles.get(mid).stream.name()
          + "'; unsubscribe it first", mid, name);
      return;
    }
    if (tiles.size() >= sessions.maxTiles()) {
      refuseTile(ErrorCode.TILE_LIMIT, "a session carries at most " + sessions.maxTiles() + " tiles", mid, name);
      return;
    }
    // Token first: with gateway-wide tokens, a stranger must not learn which names exist.
    switch (tileAccess.apply(name)) {
      case ALLOWED -> { }
      case FORBIDDEN -> {
        refuseTile(ErrorCode.FORBIDDEN, "this token does not open stream '" + name + "'", mid, name);
        return;
      }
      case MISSING -> {
        refuseTile(ErrorCode.UNAUTHORIZED, "stream '" + name + "' needs a token: add ?token=... to the URL", mid, name);
        return;
      }
      case WRONG -> {
        refuseTile(ErrorCode.UNAUTHORIZED, "the token is not valid", mid, name);
        return;
      }
    }
    Optional<LiveStream> found = streams.find(name);
    if (found.isEmpty()) {
      refuseTile(ErrorCode.UNKNOWN_STREAM, "there is no stream named '" + name + "'", mid, name);
      return;
    }
    try {
      if (!hasSession()) {
        session = sessions.openWall(new Port(), id);
      }
      session.subscribe(mid, found.get());
    } catch (StreamBusyException e) {
      refuseTile(ErrorCode.BUSY, e.getMessage(), mid, name);
      return;
    }
    Subscription tile = new Subscription(mid, found.get());
    tiles.put(mid, tile);
    tile.stream.addListener(tile.listener);
    tile.tell(tile.stream.source().state(), tile.stream.source().lastError());
  }

  private void onUnsubscribe(ClientMessage.Unsubscribe unsubscribe) {
    if (!isWall()) {
      channel.send(ServerMessage.Error.of(ErrorCode.BAD_MESSAGE,
          "unsubscribe is for a wall's socket (/ws); this one carries stream '" + streamName + "'"));
      return;
    }
    Subscription tile = tiles.remove(unsubscribe.mid());
    if (tile == null) {
      refuseTile(ErrorCode.BAD_MESSAGE, "no tile is subscribed on mid '" + unsubscribe.mid() + "'", unsubscribe.mid(),
          null);
      return;
    }
    tile.stream.removeListener(tile.listener);
    if (hasSession()) {
      session.unsubscribe(tile.mid);
    }
  }

  private void refuseTile(ErrorCode code, String message, String mid, String stream) {
    channel.send(ServerMessage.Error.ofTile(code, message, mid, stream));
  }

  /** The session dropped a tile on its own (its offer lacked the tile's section): forget it here too. */
  private synchronized void tileDropped(String mid) {
    Subscription tile = tiles.remove(mid);
    if (tile != null) {
      tile.stream.removeListener(tile.listener);
    }
  }

  /** A session that still takes offers and candidates (one whose first offer failed does not). */
  private boolean hasSession() {
    return session != null && !session.isClosing();
  }

  private void onOffer(ClientMessage.Offer offer) {
    try {
      OfferCheck.check(offer.sdp(), isWall() ? sessions.maxTiles() + OfferCheck.WALL_SPARE_SECTIONS
          : OfferCheck.MAX_MEDIA_SECTIONS);
    } catch (SignalingException e) {
      channel.send(ServerMessage.Error.of(e.code(), e.getMessage()));
      return;
    }
    if (!offerRate.tryTake()) {
      channel.send(ServerMessage.Error.of(ErrorCode.RATE_LIMITED, "more than " + OFFER_BURST
          + " offers in a row; at most one every " + Math.round(1 / OFFERS_PER_SECOND) + " s after that"));
      return;
    }
    if (!hasSession()) {
      if (session != null) {
        // The first negotiation failed and its session ended: the new one is a new session, with
        // an id (and TURN credentials) of its own, announced before its answer.
        id = sessions.newId();
        channel.send(new ServerMessage.Hello(id, streamName, sessions.iceServersFor(id)));
      }
      try {
        session = isWall() ? sessions.openWall(new Port(), id) : sessions.open(stream, new Port(), id);
      } catch (StreamBusyException e) {
        channel.send(ServerMessage.Error.of(ErrorCode.BUSY, e.getMessage()));
        channel.close(CloseCodes.BUSY, "busy");
        closed = true;
        return;
      }
    }
    offered = true;
    cancelOfferTimer();
    session.offer(offer.sdp());
  }

  private synchronized void offerTimedOut() {
    if (!closed && !offered) {
      channel.send(ServerMessage.Error.of(ErrorCode.NO_OFFER,
          "no offer within " + offerTimeout.toSeconds() + " s; closing"));
      channel.close(CloseCodes.NO_OFFER_IN_TIME, "no offer in time");
      closed = true;
    }
  }

  /**
   * Tells the viewer when its stream cannot produce pictures: for now (a camera gone: the session
   * stays and the picture resumes on the same connection when the camera is back), or for good
   * (a file that ended or cannot be played: the viewer stops instead of reconnecting forever).
   */
  private void sourceChanged(SourceState state, String error) {
    SourceNotice.of(streamName, state, error).ifPresent(
        notice -> channel.send(ServerMessage.Error.of(notice.code(), notice.message())));
  }

  /** The transport is gone: end the session, if any. */
  public synchronized void closed() {
    closed = true;
    cancelOfferTimer();
    if (stream != null) {
      stream.removeListener(sourceListener);
    }
    tiles.values().forEach(tile -> tile.stream.removeListener(tile.listener));
    tiles.clear();
    if (session != null) {
      session.close(EndReason.VIEWER_LEFT);
    }
  }

  private void cancelOfferTimer() {
    if (offerTimer != null) {
      offerTimer.cancel(false);
      offerTimer = null;
    }
  }

  /** One of a wall's tiles: its stream, and the listener that tells the viewer of its source's state. */
  private final class Subscription {
    final String mid;
    final LiveStream stream;
    final SourceListener listener = this::tell;

    Subscription(String mid, LiveStream stream) {
      this.mid = mid;
      this.stream = stream;
    }

    /** As {@link #sourceChanged}, naming the tile. */
    void tell(SourceState state, String error) {
      SourceNotice.of(stream.name(), state, error).ifPresent(notice ->
          channel.send(ServerMessage.Error.ofTile(notice.code(), notice.message(), mid, stream.name())));
    }
  }

  /** What the session says, as this protocol's messages; an ended session may close the socket. */
  private final class Port implements ViewerPort {
    @Override
    public void answer(String sdp) {
      channel.send(new ServerMessage.Answer(sdp));
    }

    @Override
    public void candidate(Candidate candidate) {
      channel.send(ServerMessage.Trickle.of(candidate));
    }

    @Override
    public void error(ErrorCode code, String message) {
      channel.send(ServerMessage.Error.of(code, message));
    }

    @Override
    public void tileError(String mid, String stream, ErrorCode code, String message) {
      tileDropped(mid);
      channel.send(ServerMessage.Error.ofTile(code, message, mid, stream));
    }

    @Override
    public void ended(EndReason reason) {
      switch (reason) {
        case SHUTDOWN -> {
          channel.send(new ServerMessage.Bye("the gateway is shutting down"));
          channel.close(CloseCodes.GOING_AWAY, reason.label());
        }
        case ICE_FAILED, ICE_TIMEOUT -> channel.close(CloseCodes.ICE_ENDED, reason.label());
        case INTERNAL_ERROR -> channel.close(CloseCodes.INTERNAL_ERROR, reason.label());
        // The viewer left, or may offer again after a failed negotiation: the socket stays as it is.
        case VIEWER_LEFT, NEGOTIATION_FAILED -> { }
      }
    }

    @Override
    public String peer() {
      return channel.peer();
    }
  }
}
