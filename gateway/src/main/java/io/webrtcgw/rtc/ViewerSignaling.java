package io.webrtcgw.rtc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.ClientMessage;
import io.webrtcgw.signaling.CloseCodes;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.ServerMessage;
import io.webrtcgw.signaling.SignalingChannel;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.signaling.TokenBucket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One viewer's signaling conversation, whatever transport carries it: decodes messages, reports
 * bad ones, and drives the viewer's {@link Session}. Calls come in order from the transport.
 */
public final class ViewerSignaling {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private static final List<String> KNOWN_TYPES = List.of("offer", "candidate", "viewport");
  private static final int MAX_VIEWPORT_SIDE = 65_535;

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
  private final SignalingChannel channel;
  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ScheduledExecutorService timers;
  private final Duration offerTimeout;
  private final String id;
  private final TokenBucket offerRate;
  private final TokenBucket messageRate;
  private LiveStream stream;
  private Session session;
  private ScheduledFuture<?> offerTimer;
  private boolean closed;
  private final SourceListener sourceListener = this::sourceChanged;

  /** @param nanoTime a monotonic clock for the rate limits, {@code System::nanoTime} outside tests */
  public ViewerSignaling(String streamName, SignalingChannel channel, StreamRegistry streams,
      SessionRegistry sessions, ScheduledExecutorService timers, Duration offerTimeout, LongSupplier nanoTime) {
    this.streamName = streamName;
    this.channel = channel;
    this.streams = streams;
    this.sessions = sessions;
    this.timers = timers;
    this.offerTimeout = offerTimeout;
    this.id = sessions.newId();
    this.offerRate = new TokenBucket(OFFER_BURST, OFFERS_PER_SECOND, nanoTime);
    this.messageRate = new TokenBucket(MESSAGE_BURST, MESSAGES_PER_SECOND, nanoTime);
  }

  /** The JSON codec for signaling messages, shared with tests and other transports. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public synchronized void opened() {
    Optional<LiveStream> found = streams.find(streamName);
    if (found.isEmpty()) {
      channel.send(ServerMessage.Error.of(ErrorCode.UNKNOWN_STREAM, "there is no stream named '" + streamName + "'"));
      channel.close(CloseCodes.UNKNOWN_STREAM, "unknown stream");
      closed = true;
      return;
    }
    stream = found.get();
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
      message = decode(text);
    } catch (SignalingException e) {
      channel.send(ServerMessage.Error.of(e.code(), e.getMessage()));
      return;
    }
    if (message instanceof ClientMessage.Offer offer) {
      onOffer(offer);
    } else if (message instanceof Candidate candidate) {
      if (!hasSession()) {
        channel.send(ServerMessage.Error.of(ErrorCode.NO_OFFER, session == null
            ? "send an offer before candidates"
            : "the session ended; send a new offer before candidates"));
      } else {
        session.addCandidate(candidate);
      }
    } else if (message instanceof ClientMessage.Viewport viewport) {
      onViewport(viewport);
    }
  }

  /** {@link #decode} has checked the fields: width and height in range, visible present. */
  private void onViewport(ClientMessage.Viewport viewport) {
    // Before the first offer there is no encoder to cap; the player reports again after the answer.
    if (session != null) {
      session.viewport(viewport.width(), viewport.height(), viewport.visible());
    }
  }

  /** A session that still takes offers and candidates (one whose first offer failed does not). */
  private boolean hasSession() {
    return session != null && !session.isClosing();
  }

  private void onOffer(ClientMessage.Offer offer) {
    try {
      OfferCheck.check(offer.sdp());
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
      try {
        session = sessions.open(stream, channel, id);
      } catch (StreamBusyException e) {
        channel.send(ServerMessage.Error.of(ErrorCode.BUSY, e.getMessage()));
        channel.close(CloseCodes.BUSY, "busy");
        closed = true;
        return;
      }
      cancelOfferTimer();
    }
    session.offer(offer.sdp());
  }

  private synchronized void offerTimedOut() {
    if (!closed && session == null) {
      channel.send(ServerMessage.Error.of(ErrorCode.NO_OFFER,
          "no offer within " + offerTimeout.toSeconds() + " s; closing"));
      channel.close(CloseCodes.NO_OFFER_IN_TIME, "no offer in time");
      closed = true;
    }
  }

  /**
   * Tells the viewer when its stream cannot produce pictures (camera gone, file unplayable). The
   * session stays: when the source recovers, the picture resumes on the same connection.
   */
  private void sourceChanged(SourceState state, String error) {
    if (state == SourceState.UNAVAILABLE || state == SourceState.FAILED || state == SourceState.ENDED) {
      channel.send(ServerMessage.Error.of(ErrorCode.SOURCE_UNAVAILABLE, "stream '" + streamName + "' is "
          + state.json() + (error == null ? "" : ": " + error)));
    }
  }

  /** The transport is gone: end the session, if any. */
  public synchronized void closed() {
    closed = true;
    cancelOfferTimer();
    if (stream != null) {
      stream.removeListener(sourceListener);
    }
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

  static ClientMessage decode(String text) throws SignalingException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SignalingException(ErrorCode.BAD_JSON, "not valid JSON: " + abbreviate(e.getOriginalMessage()));
    }
    if (tree == null || tree.isMissingNode()) {
      throw new SignalingException(ErrorCode.BAD_JSON, "the message is empty; send a JSON object");
    }
    if (!tree.isObject()) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "a message must be a JSON object with a \"type\"");
    }
    JsonNode type = tree.get("type");
    if (type == null || !type.isTextual() || !KNOWN_TYPES.contains(type.asText())) {
      throw new SignalingException(ErrorCode.UNKNOWN_TYPE, type == null
          ? "a message needs a \"type\" (" + String.join(", ", KNOWN_TYPES) + ")"
          : "unknown message type " + abbreviate(type.toString()) + " (expected " + String.join(", ", KNOWN_TYPES) + ")");
    }
    ClientMessage message;
    try {
      message = MAPPER.treeToValue(tree, ClientMessage.class);
    } catch (JsonProcessingException e) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "malformed " + type.asText() + " message: " + abbreviate(e.getOriginalMessage()));
    }
    if (message instanceof ClientMessage.Viewport viewport && !valid(viewport)) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "a viewport needs width and height from 0 to " + MAX_VIEWPORT_SIDE + " and visible (true or false)");
    }
    return message;
  }

  private static boolean valid(ClientMessage.Viewport viewport) {
    return viewport.visible() != null
        && viewport.width() != null && viewport.width() >= 0 && viewport.width() <= MAX_VIEWPORT_SIDE
        && viewport.height() != null && viewport.height() >= 0 && viewport.height() <= MAX_VIEWPORT_SIDE;
  }

  private static String abbreviate(String text) {
    String oneLine = String.valueOf(text).replaceAll("\\s+", " ");
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
