package io.webrtcgw.rtc;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.ViewerPort;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer: one peer connection, the port to its viewer, and its tiles: each a stream's shared
 * track sent on one of the viewer's media sections, with the viewer's hold on that stream. A
 * single-stream session has one tile, bound to the first video section of its first offer; a wall
 * session has as many as the viewer subscribes to, each bound to the section it names. All work
 * runs on the session's own thread; libwebrtc callbacks only enqueue. What ending means for the
 * viewer's connection is the protocol's business, not this.
 *
 * <p>Tiles are bound without {@code addTrack}: after the offer is applied, each subscribed media
 * section's transceiver (which the offer created) gets the stream's track and sends only; any
 * other goes inactive. The transceivers and senders webrtc-java hands out this way are borrowed
 * from the peer connection (no native reference is taken), so there is nothing to release but the
 * connection itself.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);
  private static final Duration RTC_CALL_TIMEOUT = Duration.ofSeconds(10);
  /** The label of the data channel a viewer may open for messages beside its protocol's own. */
  public static final String CHANNEL_LABEL = "gateway";
  /** Longer messages on that channel are dropped: it carries a viewport now and then. */
  private static final int MAX_CHANNEL_MESSAGE_BYTES = 4096;
  /** What a wall session gives as its stream (logs, metrics): no stream name can start with '('. */
  public static final String WALL = "(wall)";

  /** Hears what arrives on the viewer's {@value #CHANNEL_LABEL} data channel; called on the session's thread. */
  public interface ChannelListener {
    /** The channel is open: {@link #sendOnChannel} now reaches the viewer. */
    void opened();

    /** A text message from the viewer. */
    void message(String text);
  }

  /** Where the session is; events meant for an earlier state are dropped. */
  public enum State {
    NEW,
    CONNECTING,
    CONNECTED,
    DISCONNECTED,
    CLOSED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String id;
  private final String label;
  private final boolean wall;
  private final int maxSections;
  private final ViewerPort viewer;
  private final RtcEngine engine;
  private final Duration disconnectGrace;
  private final Clock clock;
  private final Instant started;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<EndReason> ended = new CompletableFuture<>();
  private final Consumer<Session> onEnded;

  // Confined to the executor thread.
  private State state = State.NEW;
  private RTCPeerConnection pc;
  /** Tiles by the mid of the media section they are (or will be, at the next offer) sent on. */
  private final Map<String, Tile> tiles = new LinkedHashMap<>();
  /** A single-stream session's one tile, which finds its media section in the first offer. */
  private Tile implicitTile;
  private boolean answered;
  private List<String> remoteMids = List.of(); // per media section of the applied offer; "" if none
  private final List<Candidate> localCandidates = new ArrayList<>();
  private ScheduledFuture<?> graceTimer;
  private RTCDataChannel dataChannel;
  private ChannelListener channelListener;
  private volatile RTCIceConnectionState iceState = RTCIceConnectionState.NEW;
  private volatile long firstPacketMillis = -1;
  private volatile boolean hasConnected;
  private volatile List<String> tileStreams = List.of();

  /**
   * @param lease the stream a single-stream session sends, or null for a wall session, whose tiles
   *     come with {@link #subscribe}
   * @param maxTiles tiles a wall session may have; its offers may carry that many media sections
   *     and {@link OfferCheck#WALL_SPARE_SECTIONS} more
   */
  Session(
      String id,
      LiveStream.Lease lease,
      ViewerPort viewer,
      RtcEngine engine,
      Duration disconnectGrace,
      Clock clock,
      Consumer<Session> onEnded,
      int maxTiles) {
    this.id = id;
    this.wall = lease == null;
    this.label = wall ? WALL : lease.stream().name();
    this.maxSections = wall ? maxTiles + OfferCheck.WALL_SPARE_SECTIONS : OfferCheck.MAX_MEDIA_SECTIONS;
    if (!wall) {
      implicitTile = new Tile(lease, null);
      tileStreams = List.of(label);
    }
    this.viewer = viewer;
    this.engine = engine;
    this.disconnectGrace = disconnectGrace;
    this.clock = clock;
    this.started = clock.instant();
    this.onEnded = onEnded;
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "session-" + id);
      thread.setDaemon(true);
      return thread;
    });
  }

  public String id() {
    return id;
  }

  /** The stream a single-stream session sends, or {@link #WALL} for a wall session. */
  public String streamName() {
    return label;
  }

  /** Whether this session carries the tiles a viewer subscribes to rather than one stream. */
  public boolean isWall() {
    return wall;
  }

  /** The streams of the session's tiles now, in the order they were added. */
  public List<String> tileStreams() {
    return tileStreams;
  }

  public Instant started() {
    return started;
  }

  public RTCIceConnectionState iceState() {
    return iceState;
  }

  /** Whether ICE has connected at least once. */
  public boolean hasConnected() {
    return hasConnected;
  }

  /** Time from the first offer's arrival to the first media packet sent, once known. */
  public OptionalLong firstPacketMillis() {
    long millis = firstPacketMillis;
    return millis < 0 ? OptionalLong.empty() : OptionalLong.of(millis);
  }

  /** Completes with the reason once everything the session held has been released. */
  public CompletableFuture<EndReason> ended() {
    return ended;
  }

  /**
   * The peer connection's statistics, gathered on the session's thread; completes with null before
   * the first offer or after the end. Callers bound the wait: libwebrtc may never answer a closing
   * connection.
   */
  public CompletableFuture<RTCStatsReport> stats() {
    CompletableFuture<RTCStatsReport> result = new CompletableFuture<>();
    boolean posted = post(() -> {
      if (pc == null || state == State.CLOSED) {
        result.complete(null);
        return;
      }
      // The report arrives on libwebrtc's thread; completing there would run the caller's work on it.
      pc.getStats(report -> {
        if (!post(() -> result.complete(report))) {
          result.complete(null);
        }
      });
    });
    if (!posted) {
      result.complete(null);
    }
    return result;
  }

  /** Answers an offer: the first starts sending, later ones renegotiate (e.g. an ICE restart). */
  public void offer(String sdp) {
    long arrived = clock.millis();
    post(() -> handleOffer(sdp, arrived));
  }

  /**
   * The size the viewer shows the video at, in device pixels (0 x 0 if unknown), and whether its
   * page is visible: the encoder is capped to what can be seen.
   */
  public void viewport(int width, int height, boolean visible) {
    post(() -> handleViewport(implicitTile, width, height, visible));
  }

  /** As {@link #viewport(int, int, boolean)} for the wall tile on media section {@code mid}. */
  public void viewport(String mid, int width, int height, boolean visible) {
    post(() -> handleViewport(tiles.get(mid), width, height, visible));
  }

  /**
   * Adds a tile to a wall session: {@code stream} is sent on media section {@code mid} from the
   * next offer on. Its viewer slot is taken at once, on the caller's thread.
   *
   * @throws StreamBusyException when the stream or the gateway has its maximum of viewers
   */
  public void subscribe(String mid, LiveStream stream) throws StreamBusyException {
    if (!wall) {
      throw new IllegalStateException("a single-stream session has no tiles to subscribe to");
    }
    LiveStream.Lease lease = stream.join();
    if (!post(() -> addTile(mid, lease))) {
      lease.close();
    }
  }

  /** Stops a wall tile at once and gives its viewer slot back; its media section goes inactive at the next offer. */
  public void unsubscribe(String mid) {
    if (wall) {
      post(() -> removeTile(mid, null));
    }
  }

  /**
   * Listens to the data channel the viewer may open (labelled {@value #CHANNEL_LABEL}), e.g. for a
   * protocol without a message channel of its own (WHEP). Set before the first offer.
   */
  public void listenToChannel(ChannelListener listener) {
    post(() -> channelListener = listener);
  }

  /** Sends a text message on the viewer's data channel, if it is open; dropped otherwise. */
  public void sendOnChannel(String text) {
    post(() -> {
      if (dataChannel != null && state != State.CLOSED && dataChannel.getState() == RTCDataChannelState.OPEN) {
        RTCDataChannel target = dataChannel;
        try {
          RtcFutures.call("send on the data channel", () -> {
            try {
              target.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
            } catch (Exception e) {
              throw new IllegalStateException(e.getMessage(), e);
            }
          });
        } catch (RtcFutures.RtcCallException e) {
          log.debug("session {}: {}", id, e.getMessage());
        }
      }
    });
  }

  /** Adds a viewer's trickled candidate. */
  public void addCandidate(Candidate candidate) {
    if (!post(() -> handleRemoteCandidate(candidate))) {
      refuseAfterEnd();
    }
  }

  /** True from the moment the session starts ending: it answers nothing any more. */
  public boolean isClosing() {
    return closing.get();
  }

  /** Ends the session and frees everything; idempotent, safe from any thread. */
  public CompletableFuture<EndReason> close(EndReason reason) {
    if (closing.compareAndSet(false, true)) {
      if (!post(() -> teardown(reason))) {
        teardown(reason);
      }
    }
    return ended;
  }

  private boolean post(Runnable task) {
    try {
      executor.execute(() -> {
        try {
          task.run();
        } catch (VirtualMachineError e) {
          throw e;
        } catch (RuntimeException | Error e) {
          log.error("session {}: unexpected failure", id, e);
          close(EndReason.INTERNAL_ERROR);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false; // already torn down: late libwebrtc callbacks have nowhere to go
    }
  }

  private void handleOffer(String sdp, long arrivedMillis) {
    if (state == State.CLOSED) {
      return;
    }
    try {
      OfferCheck.check(sdp, maxSections);
      if (pc == null) {
        pc = engine.createPeerConnection(new Observer(), id);
        state = State.CONNECTING;
      }
      String offer = OfferEdits.forGateway(sdp, wall);
      RtcFutures.setRemote(pc, new RTCSessionDescription(RTCSdpType.OFFER, offer), RTC_CALL_TIMEOUT);
      remoteMids = OfferCheck.mids(sdp);
      List<Tile> bound = bindTiles(sdp);
      RTCSessionDescription answer = RtcFutures.createAnswer(pc, RTC_CALL_TIMEOUT);
      RtcFutures.setLocal(pc, answer, RTC_CALL_TIMEOUT);
      viewer.answer(answer.sdp);
      log.debug("session {}: answered {} offer in state {}", id, answered ? "a new" : "the first", state);
      // A sender has its encoding only once negotiated: limits reported before are written now.
      bound.forEach(this::applyLimits);
      if (!answered) {
        answered = true;
        localCandidates.forEach(viewer::candidate);
        localCandidates.clear();
        if (!bound.isEmpty()) {
          new FirstPacketWatch(pc, bound.get(0).sender, executor, this::post, () -> state != State.CLOSED, clock,
              arrivedMillis, this::firstPacketSent).start();
        }
      }
      if (state == State.DISCONNECTED) {
        restartGraceTimer(); // an ICE restart gets a fresh grace period to come through
      }
    } catch (SignalingException e) {
      reject(e.code(), e.getMessage());
    } catch (RtcFutures.RtcCallException e) {
      reject(ErrorCode.BAD_SDP, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("session {}: offer failed", id, e);
      reject(ErrorCode.INTERNAL, "the gateway could not answer the offer: " + e.getMessage());
    }
  }

  private void firstPacketSent(long millisAfterOffer) {
    firstPacketMillis = millisAfterOffer;
    log.info("session {}: first media packet sent {} ms after the offer", id, millisAfterOffer);
  }

  /**
   * Binds every tile that has no sender yet to the transceiver the applied offer made for its
   * media section, and leaves every section without a tile inactive; returns the tiles bound now.
   * A wall tile whose section the offer lacks (or is not video) is dropped with an error.
   */
  private List<Tile> bindTiles(String sdp) throws RtcFutures.RtcCallException {
    RTCPeerConnection connection = pc;
    RTCRtpTransceiver[][] found = new RTCRtpTransceiver[1][];
    RtcFutures.call("list the transceivers", () -> found[0] = connection.getTransceivers());
    RTCRtpTransceiver[] transceivers = found[0];
    if (implicitTile != null && implicitTile.mid == null) {
      // Transceivers come in the order of the offer's audio and video sections (a data channel's
      // section has none); the section's own mid may be missing, so the transceiver names it.
      int index = OfferCheck.firstVideoRtpIndex(sdp);
      if (index < 0 || index >= transceivers.length) {
        throw new RtcFutures.RtcCallException("could not find the offer's video section among its transceivers");
      }
      RTCRtpTransceiver transceiver = transceivers[index];
      String[] mid = new String[1];
      RtcFutures.call("read the video section's mid", () -> mid[0] = transceiver.getMid());
      implicitTile.mid = mid[0];
      tiles.put(mid[0], implicitTile);
    }
    Set<String> video = new HashSet<>(OfferCheck.videoMids(sdp));
    Set<String> offered = new HashSet<>();
    List<Tile> bound = new ArrayList<>();
    for (RTCRtpTransceiver transceiver : transceivers) {
      String[] mid = new String[1];
      boolean[] stopped = new boolean[1];
      RtcFutures.call("read a transceiver", () -> {
        mid[0] = transceiver.getMid();
        stopped[0] = transceiver.stopped();
      });
      if (mid[0] == null || stopped[0]) {
        continue;
      }
      offered.add(mid[0]);
      Tile tile = tiles.get(mid[0]);
      if (tile == null) {
        RtcFutures.call("leave a media section without a tile inactive",
            () -> transceiver.setDirection(RTCRtpTransceiverDirection.INACTIVE));
      } else if (tile.sender == null) {
        if (tile != implicitTile && !video.contains(mid[0])) {
          offered.remove(mid[0]);
          continue;
        }
        String stream = tile.stream();
        RTCRtpSender[] sender = new RTCRtpSender[1];
        RtcFutures.call("send stream '" + stream + "' on media section " + abbreviate(mid[0]), () -> {
          sender[0] = transceiver.getSender();
          sender[0].replaceTrack(engine.track(stream).track());
          sender[0].setStreams(List.of("stream-" + stream));
          transceiver.setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
        });
        tile.sender = sender[0];
        bound.add(tile);
      }
    }
    for (Tile tile : List.copyOf(tiles.values())) {
      if (!offered.contains(tile.mid)) {
        removeTile(tile.mid, "the offer has no video section with mid '" + abbreviate(tile.mid) + "' for stream '"
            + tile.stream() + "'; subscribe again and offer one");
      }
    }
    return bound;
  }

  private void addTile(String mid, LiveStream.Lease lease) {
    if (state == State.CLOSED || tiles.containsKey(mid)) {
      lease.close();
      return;
    }
    tiles.put(mid, new Tile(lease, mid));
    tileStreams = tiles.values().stream().map(Tile::stream).toList();
  }

  /** Ends a tile: its sender stops at once and its viewer slot is given back; {@code error} tells the viewer why. */
  private void removeTile(String mid, String error) {
    Tile tile = tiles.remove(mid);
    if (tile == null) {
      return;
    }
    if (tile.sender != null && pc != null) {
      RTCRtpSender sender = tile.sender;
      tile.sender = null;
      step("stop tile " + mid, () -> sender.replaceTrack(null));
    }
    tile.lease.close();
    tileStreams = tiles.values().stream().map(Tile::stream).toList();
    if (error != null) {
      viewer.tileError(mid, tile.stream(), ErrorCode.NO_VIDEO, error);
    }
  }

  private void handleViewport(Tile tile, int width, int height, boolean visible) {
    if (state == State.CLOSED || tile == null) {
      return;
    }
    EncodingLimits wanted =
        EncodingLimits.forViewport(tile.lease.stream().source().format(), width, height, visible);
    if (wanted.equals(tile.limits)) {
      return;
    }
    tile.limits = wanted;
    applyLimits(tile);
  }

  /** Writes a tile's limits into its sender; before its answer there is no sender to write. */
  private void applyLimits(Tile tile) {
    EncodingLimits limits = tile.limits;
    RTCRtpSender target = tile.sender;
    if (limits == null || target == null) {
      return;
    }
    try {
      RtcFutures.call("cap the encoder", () -> {
        RTCRtpSendParameters parameters = target.getParameters();
        if (parameters.encodings == null || parameters.encodings.isEmpty()) {
          throw new IllegalStateException("the sender has no encoding");
        }
        limits.applyTo(parameters.encodings.get(0));
        target.setParameters(parameters);
      });
      log.debug("session {}: encoder limits of {} {}", id, tile.mid, limits);
    } catch (RtcFutures.RtcCallException e) {
      // The viewer still gets the full picture; only its cost is not reduced.
      log.warn("session {}: {}", id, e.getMessage());
    }
  }

  private void reject(ErrorCode code, String message) {
    // A wall's session stays with its tiles: the viewer may offer again on it.
    if (!answered && !wall) {
      // Closing first: once the viewer reads the error, its next offer must find this session
      // closing and get a fresh one.
      close(EndReason.NEGOTIATION_FAILED);
    }
    viewer.error(code, message);
  }

  private void refuseAfterEnd() {
    viewer.error(ErrorCode.NO_OFFER, "the session ended; send a new offer before candidates");
  }

  private void handleRemoteCandidate(Candidate candidate) {
    if (state == State.CLOSED || pc == null || closing.get()) {
      refuseAfterEnd();
      return;
    }
    if (candidate.isEnd()) {
      return; // nothing to add
    }
    if (candidate.sdpMid() == null && candidate.sdpMLineIndex() == null) {
      viewer.error(ErrorCode.BAD_CANDIDATE, "a candidate needs sdpMid or sdpMLineIndex");
      return;
    }
    // libwebrtc's addIceCandidate reports no failure through webrtc-java, so a candidate for a
    // media section the offer does not have would vanish without a word.
    if (candidate.sdpMid() != null ? !remoteMids.contains(candidate.sdpMid())
        : candidate.sdpMLineIndex() < 0 || candidate.sdpMLineIndex() >= remoteMids.size()) {
      viewer.error(ErrorCode.BAD_CANDIDATE, candidate.sdpMid() != null
          ? "the offer has no media section with mid '" + abbreviate(candidate.sdpMid()) + "'"
          : "the offer has no media section " + candidate.sdpMLineIndex());
      return;
    }
    RTCIceCandidate parsed = new RTCIceCandidate(
        candidate.sdpMid() == null ? "" : candidate.sdpMid(),
        candidate.sdpMLineIndex() == null ? 0 : candidate.sdpMLineIndex(),
        candidate.candidate());
    try {
      RtcFutures.call("add the candidate", () -> pc.addIceCandidate(parsed));
    } catch (RtcFutures.RtcCallException e) {
      viewer.error(ErrorCode.BAD_CANDIDATE, e.getMessage());
    }
  }

  private void handleLocalCandidate(RTCIceCandidate candidate) {
    queueOrSend(new Candidate(candidate.sdp, candidate.sdpMid, candidate.sdpMLineIndex));
  }

  private void handleGatheringComplete() {
    // A transport that cannot trickle (WHEP) waits for this to put every candidate in the answer.
    queueOrSend(Candidate.END);
  }

  private void queueOrSend(Candidate message) {
    if (state == State.CLOSED) {
      return;
    }
    // A candidate that reaches a browser before the answer is an error there, so hold it back.
    if (answered) {
      viewer.candidate(message);
    } else {
      localCandidates.add(message);
    }
  }

  private void handleDataChannel(RTCDataChannel channel) {
    if (state == State.CLOSED || dataChannel != null || channelListener == null
        || !CHANNEL_LABEL.equals(channel.getLabel())) {
      // Nobody here speaks on it: refuse it rather than hold its native half open.
      step("refuse a data channel", () -> {
        channel.close();
        channel.dispose();
      });
      return;
    }
    dataChannel = channel;
    channel.registerObserver(new ChannelObserver(channel));
    if (channel.getState() == RTCDataChannelState.OPEN) {
      channelListener.opened();
    }
  }

  private void handleIceState(RTCIceConnectionState newState) {
    if (state == State.CLOSED) {
      return;
    }
    iceState = newState;
    switch (newState) {
      case CONNECTED, COMPLETED -> {
        hasConnected = true;
        cancelGraceTimer();
        if (state != State.CONNECTED) {
          log.debug("session {}: ICE {}", id, newState);
        }
        state = State.CONNECTED;
      }
      case DISCONNECTED -> {
        // Disconnected may heal by itself (consent checks resume after a short outage); failed
        // never does. Give it the grace period before giving the viewer's slot back.
        if (state == State.CONNECTED) {
          log.debug("session {}: ICE disconnected, {} ms to recover", id, disconnectGrace.toMillis());
          state = State.DISCONNECTED;
          restartGraceTimer();
        }
      }
      case FAILED -> close(EndReason.ICE_FAILED);
      default -> { }
    }
  }

  private void restartGraceTimer() {
    cancelGraceTimer();
    graceTimer = executor.schedule(() -> {
      if (state == State.DISCONNECTED) {
        close(EndReason.ICE_TIMEOUT);
      }
    }, disconnectGrace.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void cancelGraceTimer() {
    if (graceTimer != null) {
      graceTimer.cancel(false);
      graceTimer = null;
    }
  }

  /** Releases in reverse order of creation; one failing step does not stop the rest. */
  private void teardown(EndReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    cancelGraceTimer();
    if (dataChannel != null) {
      RTCDataChannel channel = dataChannel;
      dataChannel = null;
      step("close the data channel", () -> {
        channel.unregisterObserver();
        channel.close();
        channel.dispose();
      });
    }
    if (pc != null) {
      RTCPeerConnection closing = pc;
      for (Tile tile : tiles.values()) {
        RTCRtpSender sender = tile.sender;
        tile.sender = null;
        if (sender != null) {
          step("detach the track of tile " + tile.mid, () -> sender.replaceTrack(null));
        }
      }
      pc = null;
      step("close peer connection", () -> NativeRelease.closePeerConnection(closing));
    }
    if (implicitTile != null) {
      step("leave stream", implicitTile.lease::close);
    }
    for (Tile tile : tiles.values()) {
      step("leave stream " + tile.stream(), tile.lease::close);
    }
    tiles.clear();
    tileStreams = List.of();
    step("tell the viewer", () -> viewer.ended(reason));
    step("deregister", () -> onEnded.accept(this));
    Duration lived = Duration.between(started, clock.instant());
    log.info("session {} ended: stream={} peer={} reason={} duration={}ms",
        id, streamName(), viewer.peer(), reason.label(), lived.toMillis());
    executor.shutdown();
    ended.complete(reason);
  }

  /** One stream sent on one media section; confined to the session's thread. */
  private static final class Tile {
    final LiveStream.Lease lease;
    String mid;
    /** Borrowed from the peer connection (never released); null until bound by an offer. */
    RTCRtpSender sender;
    EncodingLimits limits;

    Tile(LiveStream.Lease lease, String mid) {
      this.lease = lease;
      this.mid = mid;
    }

    String stream() {
      return lease.stream().name();
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  private void step(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException | Error e) {
      log.warn("session {}: {} failed: {}", id, what, e.toString());
    }
  }

  /** Runs on libwebrtc's threads: never blocks, only hands events to the session thread. */
  private final class Observer implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      post(() -> handleLocalCandidate(candidate));
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState newState) {
      post(() -> handleIceState(newState));
    }

    @Override
    public void onDataChannel(RTCDataChannel channel) {
      post(() -> handleDataChannel(channel));
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState newState) {
      if (newState == RTCIceGatheringState.COMPLETE) {
        post(Session.this::handleGatheringComplete);
      }
    }
  }

  /** Runs on libwebrtc's threads: copies what arrives and hands it to the session thread. */
  private final class ChannelObserver implements RTCDataChannelObserver {
    private final RTCDataChannel channel;

    ChannelObserver(RTCDataChannel channel) {
      this.channel = channel;
    }

    @Override
    public void onBufferedAmountChange(long previousAmount) {}

    @Override
    public void onStateChange() {
      post(() -> {
        if (dataChannel == channel && state != State.CLOSED && channel.getState() == RTCDataChannelState.OPEN) {
          channelListener.opened();
        }
      });
    }

    @Override
    public void onMessage(RTCDataChannelBuffer buffer) {
      // The buffer is only valid during this call.
      if (buffer.binary || buffer.data.remaining() > MAX_CHANNEL_MESSAGE_BYTES) {
        return;
      }
      byte[] bytes = new byte[buffer.data.remaining()];
      buffer.data.duplicate().get(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      post(() -> {
        if (dataChannel == channel && state != State.CLOSED) {
          channelListener.message(text);
        }
      });
    }
  }
}
