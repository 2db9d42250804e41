package io.webrtcgw.rtc;

import io.webrtcgw.config.Limits;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ViewerPort;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every live session of the gateway, so that they can be counted, listed and ended together. */
public final class SessionRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  /** Hears of every session's start and end, e.g. to count them; called on the sessions' threads. */
  public interface Listener {
    default void started(Session session) {}

    default void ended(Session session, EndReason reason) {}

    /** One listener that tells each of {@code listeners}, in order. */
    static Listener all(Listener... listeners) {
      List<Listener> each = List.of(listeners);
      return new Listener() {
        @Override
        public void started(Session session) {
          each.forEach(listener -> listener.started(session));
        }

        @Override
        public void ended(Session session, EndReason reason) {
          each.forEach(listener -> listener.ended(session, reason));
        }
      };
    }
  }

  private final RtcEngine engine;
  private final Duration disconnectGrace;
  private final int maxTiles;
  private final Clock clock;
  private final Listener listener;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public SessionRegistry(RtcEngine engine, Duration disconnectGrace, Clock clock) {
    this(engine, disconnectGrace, clock, new Listener() {});
  }

  public SessionRegistry(RtcEngine engine, Duration disconnectGrace, Clock clock, Listener listener) {
    this(engine, disconnectGrace, Limits.DEFAULT.maxTilesPerSession(), clock, listener);
  }

  /** @param maxTiles the tiles one wall session may carry */
  public SessionRegistry(RtcEngine engine, Duration disconnectGrace, int maxTiles, Clock clock, Listener listener) {
    this.engine = engine;
    this.disconnectGrace = disconnectGrace;
    this.maxTiles = maxTiles;
    this.clock = clock;
    this.listener = listener;
  }

  /**
   * Opens a session for a viewer of {@code stream} under an id from {@link #newId()}.
   *
   * @throws StreamBusyException when the stream or the gateway is full, or shutting down
   */
  public Session open(LiveStream stream, ViewerPort viewer, String id) throws StreamBusyException {
    if (closed) {
      throw new StreamBusyException("the gateway is shutting down");
    }
    return register(stream.join(), viewer, id);
  }

  /**
   * Opens a wall session, which carries the streams its viewer subscribes to ({@link
   * Session#subscribe}), each one of its viewer slots, under an id from {@link #newId()}.
   *
   * @throws StreamBusyException when the gateway is shutting down
   */
  public Session openWall(ViewerPort viewer, String id) throws StreamBusyException {
    if (closed) {
      throw new StreamBusyException("the gateway is shutting down");
    }
    return register(null, viewer, id);
  }

  /** The tiles one wall session may carry. */
  public int maxTiles() {
    return maxTiles;
  }

  private Session register(LiveStream.Lease lease, ViewerPort viewer, String id) throws StreamBusyException {
    Session session = new Session(id, lease, engine.publicAddress().wrap(viewer), engine,
        disconnectGrace, clock, ended -> sessions.remove(ended.id(), ended), maxTiles);
    sessions.put(session.id(), session);
    if (closed) {
      // closeAll ran between the check above and the put: this session missed it.
      session.close(EndReason.SHUTDOWN);
      throw new StreamBusyException("the gateway is shutting down");
    }
    log.info("session {} started: stream={} peer={}", session.id(), session.streamName(), viewer.peer());
    listener.started(session);
    session.ended().thenAccept(reason -> listener.ended(session, reason));
    return session;
  }

  public java.util.List<io.webrtcgw.config.IceServer> iceServers() {
    return engine.iceServers();
  }

  /** The ICE servers for the session {@code id}, with its own TURN credentials when configured. */
  public java.util.List<io.webrtcgw.config.IceServer> iceServersFor(String id) {
    return engine.iceServersFor(id);
  }

  /** A fresh, unguessable session id. */
  public String newId() {
    byte[] idBytes = new byte[6];
    random.nextBytes(idBytes);
    return HexFormat.of().formatHex(idBytes);
  }

  public int count() {
    return sessions.size();
  }

  public List<Session> all() {
    return List.copyOf(sessions.values());
  }

  /** Ends every session and waits for them, at most {@code timeout}. */
  public void closeAll(EndReason reason, Duration timeout) {
    CompletableFuture<?>[] all = sessions.values().stream()
        .map(session -> session.close(reason))
        .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("{} sessions did not end within {} ms", sessions.size(), timeout.toMillis());
    }
  }

  @Override
  public void close() {
    closed = true;
    closeAll(EndReason.SHUTDOWN, Duration.ofSeconds(5));
  }
}
