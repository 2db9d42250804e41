package io.webrtcgw.publish;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCStatsReport;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.PublishConfig;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.rtc.RtcEngine;
import io.webrtcgw.rtc.RtcFutures.RtcCallException;
import io.webrtcgw.rtc.SessionStats;
import io.webrtcgw.rtc.StreamTrack;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.whep.WhepSdp;
import io.webrtcgw.source.VideoFormat;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream published to one WHIP endpoint, for as long as the gateway runs: it keeps the
 * stream's source running, offers the stream's track on a peer connection of its own (one encode,
 * whatever the number of viewers), restarts ICE by PATCH when the connection drops, and publishes
 * again with backoff when the endpoint goes away or refuses. All work runs on the publication's
 * own thread; libwebrtc callbacks and HTTP answers only enqueue, and those meant for an earlier
 * attempt are dropped.
 */
public final class Publication {
  private static final Logger log = LoggerFactory.getLogger(Publication.class);
  /** The DELETE at shutdown waits at most this for its answer, so that the gateway stops in seconds. */
  static final Duration STOP_DELETE_DEADLINE = Duration.ofSeconds(2);

  /** Where the publication is. */
  public enum State {
    /** Asking the endpoint, offering, or waiting for ICE and DTLS to connect. */
    CONNECTING,
    /** Media flows to the endpoint. */
    CONNECTED,
    /** The connection dropped; an ICE restart by PATCH is under way on the same resource. */
    RESTARTING,
    /** The last attempt failed; the next one waits for its backoff. */
    RETRYING,
    /** Ended: the resource was deleted and everything released. */
    STOPPED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How long each step may take.
   *
   * @param gather how long an offer waits for its candidates before it goes out with those it has
   * @param connect how long ICE and DTLS may take after the answer
   * @param disconnectGrace how long a dropped connection may heal by itself before ICE restarts
   * @param restart how long an ICE restart may take to connect before the publication starts over
   * @param request the deadline of each HTTP request
   * @param stats how often the connection's statistics are read
   */
  public record Timings(Duration gather, Duration connect, Duration disconnectGrace, Duration restart,
      Duration request, Duration stats, RetryPolicy retry) {
    public static final Timings DEFAULT = new Timings(Duration.ofSeconds(1), Duration.ofSeconds(10),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), RetryPolicy.DEFAULT);
  }

  /**
   * What the publication reports: its state since when, what it sends (from the connection's
   * statistics, read every few seconds), and what went wrong last.
   *
   * @param sentBitrate bits per second sent over the last statistics interval
   * @param reconnects times the stream was published again after its endpoint went away or refused
   * @param nextAttempt when the next attempt starts, while {@code RETRYING}
   */
  public record Status(String stream, String target, String origin, State state, Instant since, String codec,
      long sentBitrate, long targetBitrate, double fps, long bytesSent, String candidateType, long attempts,
      long reconnects, long iceRestarts, String lastError, Instant lastErrorAt, Instant nextAttempt) {}

  private final String id;
  private final PublishConfig target;
  private final LiveStream stream;
  private final RtcEngine engine;
  private final WhipClient whip;
  private final Timings timings;
  private final Clock clock;
  private final DoubleSupplier random;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong iceRestarts = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final Map<Failure, AtomicLong> failures = new EnumMap<>(Failure.class);
  private volatile State state = State.CONNECTING;
  private volatile Instant since;
  private volatile SessionStats lastStats = SessionStats.EMPTY;
  private volatile long sentBitrate;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private volatile Instant nextAttempt;

  // Confined to the executor thread.
  private LiveStream.Hold hold;
  /** With a lower frame rate than the source's: the publication's own track and what feeds it. */
  private StreamTrack ownTrack;
  private FrameRateLimit rateLimit;
  private PublishPeer peer;
  /** Changes whenever what is pending (a request, a timer) stops being wanted. */
  private long epoch;
  private ScheduledFuture<?> timer;
  private ScheduledFuture<?> statsTimer;
  private boolean offerSent;
  private boolean restartSent;
  /** Whether the endpoint has the current ICE credentials, so that candidates may follow them. */
  private boolean mayTrickle;
  private long offerSentNanos;
  private URI resource;
  private String etag;
  private boolean trickling;
  private boolean trickleRefused;
  private boolean restartTried;
  /** The ICE servers the endpoint named in its last 201, for later connections too. */
  private List<IceServer> answeredServers = List.of();
  private boolean everConnected;
  private int failuresInARow;
  private long peerBytes;
  private long statsAtNanos;

  Publication(String id, PublishConfig target, LiveStream stream, RtcEngine engine, WhipClient whip, Timings timings,
      Clock clock, DoubleSupplier random) {
    this.id = id;
    this.target = target;
    this.stream = stream;
    this.engine = engine;
    this.whip = whip;
    this.timings = timings;
    this.clock = clock;
    this.random = random;
    this.since = clock.instant();
    for (Failure failure : Failure.values()) {
      failures.put(failure, new AtomicLong());
    }
    ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread named = new Thread(runnable, "publish-" + stream.name() + "-" + target.name());
      named.setDaemon(true);
      return named;
    });
    // Once stopped, no retry or deadline that was still waiting may run.
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    thread.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.executor = thread;
  }

  public String streamName() {
    return stream.name();
  }

  public PublishConfig target() {
    return target;
  }

  public State state() {
    return state;
  }

  public long reconnects() {
    return reconnects.get();
  }

  public long iceRestarts() {
    return iceRestarts.get();
  }

  public long attempts() {
    return attempts.get();
  }

  /** RTP bytes sent to the endpoint so far, over every connection, as of the last statistics read. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Failed attempts by what failed. */
  public long failures(Failure failure) {
    return failures.get(failure).get();
  }

  /** Completes once the publication has stopped and released everything. */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  public Status status() {
    SessionStats stats = lastStats;
    boolean sending = state == State.CONNECTED || state == State.RESTARTING;
    return new Status(stream.name(), target.name(), target.origin(), state, since, stats.codec(),
        sending ? sentBitrate : 0, sending ? stats.bitrate() : 0, sending ? stats.fps() : 0, bytesSent.get(),
        sending ? stats.candidateType() : null, attempts.get(), reconnects.get(), iceRestarts.get(), lastError,
        lastErrorAt, state == State.RETRYING ? nextAttempt : null);
  }

  /** Holds the stream's source and starts the first attempt. */
  void start() {
    post(() -> {
      if (state == State.STOPPED) {
        return;
      }
      hold = stream.hold();
      if (target.fps() != null && target.fps() < stream.source().format().fps()) {
        ownTrack = engine.createTrack("publish-" + id);
        rateLimit = new FrameRateLimit(target.fps(), ownTrack);
        stream.addSink(rateLimit);
      }
      log.info("publication {}: publishing stream {} to {}", id, stream.name(), whip.describe());
      attempt();
    });
  }

  /**
   * Deletes the resource at the endpoint (waiting for its answer at most {@link
   * #STOP_DELETE_DEADLINE}), closes the connection and lets go of the source; idempotent.
   */
  public CompletableFuture<Void> stop() {
    if (!post(this::shutdown)) {
      stopped.complete(null);
    }
    return stopped;
  }

  private void shutdown() {
    if (state == State.STOPPED) {
      return;
    }
    setState(State.STOPPED);
    epoch++;
    cancelTimer();
    if (statsTimer != null) {
      statsTimer.cancel(false);
    }
    URI deleting = resource;
    resource = null;
    CompletableFuture<?> deleted = deleting == null ? CompletableFuture.completedFuture(null)
        : whip.delete(deleting, STOP_DELETE_DEADLINE).handle((status, error) -> {
          if (error != null) {
            log.warn("publication {}: {}", id, whip.unwrap(error).getMessage());
          } else {
            log.info("publication {}: resource deleted at {} ({})", id, whip.describe(), status);
          }
          return null;
        });
    // The connection stays up until the endpoint has answered the DELETE: closed first, it would
    // end the endpoint's session under it (an SFU hangs up on the DTLS close) and the DELETE would
    // find nothing to delete.
    deleted.whenComplete((ignored, error) -> {
      try {
        executor.execute(() -> {
          try {
            release();
          } finally {
            executor.shutdown();
            stopped.complete(null);
          }
        });
      } catch (RejectedExecutionException e) {
        stopped.complete(null);
      }
    });
  }

  private void release() {
    closePeer();
    if (rateLimit != null) {
      stream.removeSink(rateLimit);
      ownTrack.close();
    }
    if (hold != null) {
      hold.close();
    }
  }

  /** One attempt: reuses the offer an earlier attempt could not deliver, or asks for ICE servers and makes one. */
  private void attempt() {
    if (state == State.STOPPED) {
      return;
    }
    epoch++;
    cancelTimer();
    setState(State.CONNECTING);
    restartTried = false;
    if (peer != null && peer.hasOffer() && !peer.answered()) {
      sendOffer();
      return;
    }
    closePeer();
    long expected = epoch;
    whip.iceServers().whenComplete((links, error) -> post(() -> {
      if (expected != epoch) {
        return;
      }
      if (error != null) {
        fail(whip.unwrap(error));
      } else {
        openPeer(links);
      }
    }));
  }

  private void openPeer(List<IceServer> links) {
    List<IceServer> servers = new ArrayList<>(engine.iceServersFor(id));
    servers.addAll(links);
    answeredServers.stream().filter(server -> !servers.contains(server)).forEach(servers::add);
    try {
      PeerEvents events = new PeerEvents();
      StreamTrack track = ownTrack != null ? ownTrack : engine.track(stream.name());
      events.peer = new PublishPeer(engine, track.track(), "stream-" + stream.name(), servers, encoding(), events);
      peer = events.peer;
      peerBytes = 0;
      offerSent = false;
      peer.offer(false);
    } catch (RtcCallException | RuntimeException e) {
      fail(new WhipException(Failure.NEGOTIATION, "the offer for " + whip.describe() + " failed: " + e.getMessage()));
      return;
    }
    long expected = epoch;
    timer = schedule(timings.gather(), () -> {
      if (expected == epoch) {
        sendOffer();
      }
    });
  }

  /** The offer goes out once gathering completes, or when the gather deadline passes. */
  private void sendOffer() {
    cancelTimer();
    offerSent = true;
    mayTrickle = false;
    offerSentNanos = System.nanoTime();
    String sdp = peer.offerWithCandidates();
    attempts.incrementAndGet();
    long expected = epoch;
    PublishPeer offering = peer;
    whip.publish(sdp).whenComplete((published, error) -> {
      if (!post(() -> {
        if (expected != epoch || peer != offering) {
          if (error == null) {
            // Stopped or moved on meanwhile: the endpoint must not keep a publisher nobody feeds.
            whip.delete(published.resource());
          }
          return;
        }
        if (error != null) {
          fail(whip.unwrap(error));
        } else {
          published(published);
        }
      }) && error == null) {
        whip.delete(published.resource());
      }
    });
  }

  private void published(WhipClient.Published published) {
    resource = published.resource();
    etag = published.etag();
    trickling = false;
    trickleRefused = false;
    try {
      peer.answer(published.answer());
    } catch (RtcCallException e) {
      fail(new WhipException(Failure.NEGOTIATION, "the answer of " + whip.describe() + " was refused: " + e.getMessage()));
      return;
    }
    log.info("publication {}: {} took the offer ({} ms)", id, whip.describe(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offerSentNanos));
    answeredServers = published.iceServers();
    List<IceServer> more = published.iceServers().stream().filter(server -> !peer.iceServers().contains(server)).toList();
    if (!more.isEmpty()) {
      List<IceServer> all = new ArrayList<>(peer.iceServers());
      all.addAll(more);
      try {
        // Used from the next ICE restart on; the connect deadline restarts ICE once before giving up.
        peer.useIceServers(all);
      } catch (RtcCallException e) {
        log.warn("publication {}: {}", id, e.getMessage());
      }
    }
    mayTrickle = true;
    trickle();
    startStats();
    long expected = epoch;
    timer = schedule(timings.connect(), () -> {
      if (expected == epoch && state == State.CONNECTING) {
        if (!more.isEmpty() && !restartTried) {
          restartIce("not connected within " + timings.connect().toMillis() + " ms; trying the endpoint's ICE servers");
        } else {
          fail(new WhipException(Failure.CONNECTION,
              "ICE and DTLS to " + whip.describe() + " did not connect within " + timings.connect().toMillis() + " ms"));
        }
      }
    });
  }

  /** Sends the candidates gathered since the offer (or the restart) went out, one PATCH at a time. */
  private void trickle() {
    if (peer == null || resource == null || !mayTrickle || trickling || trickleRefused || state == State.STOPPED) {
      return;
    }
    String fragment = peer.unsentFragment();
    if (fragment == null) {
      return;
    }
    trickling = true;
    long expected = epoch;
    whip.trickle(resource, etag, fragment).whenComplete((ignored, error) -> post(() -> {
      if (expected != epoch) {
        return;
      }
      trickling = false;
      if (error != null) {
        WhipException e = whip.unwrap(error);
        if (e.status() == 405 || e.status() == 501) {
          // The endpoint takes candidates only in the offer (RFC 9725 section 4.3.1).
          trickleRefused = true;
        }
        log.debug("publication {}: {}", id, e.getMessage());
        return;
      }
      trickle();
    }));
  }

  private void restartIce(String why) {
    if (resource == null || peer == null) {
      fail(new WhipException(Failure.CONNECTION, why));
      return;
    }
    epoch++;
    cancelTimer();
    setState(State.RESTARTING);
    restartTried = true;
    restartSent = false;
    mayTrickle = false;
    trickling = false;
    iceRestarts.incrementAndGet();
    log.info("publication {}: restarting ICE with {}: {}", id, whip.describe(), why);
    try {
      peer.offer(true);
    } catch (RtcCallException e) {
      fail(new WhipException(Failure.NEGOTIATION, "the ICE restart offer failed: " + e.getMessage()));
      return;
    }
    long expected = epoch;
    timer = schedule(timings.gather(), () -> {
      if (expected == epoch) {
        sendRestart();
      }
    });
  }

  private void sendRestart() {
    cancelTimer();
    restartSent = true;
    String fragment = peer.restartFragment();
    long expected = epoch;
    whip.restart(resource, fragment).whenComplete((restarted, error) -> post(() -> {
      if (expected != epoch) {
        return;
      }
      if (error != null) {
        WhipException e = whip.unwrap(error);
        // A refused restart means the resource is gone (an SFU that restarted forgets its
        // publishers): publishing again is the way back, and soon, not after a refusal's wait.
        fail(e.failure().slow() ? new WhipException(Failure.CONNECTION, e.status(), e.retryAfter(), e.getMessage()) : e);
      } else {
        restarted(restarted);
      }
    }));
  }

  private void restarted(WhipClient.Restarted restarted) {
    if (restarted.etag() != null) {
      etag = restarted.etag();
    }
    WhepSdp.Fragment fragment;
    try {
      fragment = WhepSdp.parseFragment(restarted.fragment(), peer.mid());
    } catch (SignalingException e) {
      fail(new WhipException(Failure.PROTOCOL, "the ICE restart answer of " + whip.describe() + " is not a fragment: "
          + e.getMessage()));
      return;
    }
    WhepSdp.IceCredentials credentials = fragment.credentials();
    if (credentials.ufrag() == null || credentials.pwd() == null) {
      fail(new WhipException(Failure.PROTOCOL, "the ICE restart answer of " + whip.describe()
          + " has no a=ice-ufrag and a=ice-pwd"));
      return;
    }
    try {
      peer.answer(WhepSdp.withCredentialsKeepingCandidates(peer.remote(), credentials));
      for (Candidate candidate : fragment.candidates()) {
        peer.addRemoteCandidate(candidate);
      }
    } catch (RtcCallException e) {
      fail(new WhipException(Failure.NEGOTIATION, "the ICE restart answer was refused: " + e.getMessage()));
      return;
    }
    mayTrickle = true;
    trickle();
    long expected = epoch;
    timer = schedule(timings.restart(), () -> {
      if (expected == epoch && state == State.RESTARTING) {
        fail(new WhipException(Failure.CONNECTION,
            "the ICE restart with " + whip.describe() + " did not connect within " + timings.restart().toMillis() + " ms"));
      }
    });
  }

  /**
   * The peer connection's state (ICE and DTLS together): connected means media can flow. Its
   * disconnected comes late (libwebrtc marks a connection unwritable only after some 7 s without
   * answers to its checks), so disconnects are taken from the ICE state instead.
   */
  private void onConnectionState(PublishPeer from, RTCPeerConnectionState connection) {
    if (from != peer || state == State.STOPPED) {
      return;
    }
    log.debug("publication {}: connection {} in state {}", id, connection, state);
    if (connection == RTCPeerConnectionState.CONNECTED && state == State.CONNECTING) {
      connected();
    } else if (connection == RTCPeerConnectionState.FAILED) {
      lost("the connection failed");
    }
  }

  /** The ICE state: a disconnect shows here within moments of the endpoint's silence. */
  private void onIceState(PublishPeer from, RTCIceConnectionState ice) {
    if (from != peer || state == State.STOPPED) {
      return;
    }
    log.debug("publication {}: ICE {} in state {}", id, ice, state);
    switch (ice) {
      case CONNECTED, COMPLETED -> {
        if (state == State.RESTARTING && mayTrickle) {
          connected(); // the restart's answer is applied: the connection is back
        } else if (state == State.CONNECTED) {
          cancelTimer(); // a disconnect that healed by itself
        }
      }
      case DISCONNECTED -> {
        if (state == State.CONNECTED && timer == null) {
          // Disconnected may heal by itself (consent checks resume after a short outage); failed never does.
          long expected = epoch;
          timer = schedule(timings.disconnectGrace(), () -> {
            if (expected == epoch && state == State.CONNECTED) {
              restartIce("disconnected for " + timings.disconnectGrace().toMillis() + " ms");
            }
          });
        }
      }
      case FAILED -> lost("ICE failed");
      default -> { }
    }
  }

  /** A failed connection: restarted once while it was up, given up on while it was still coming. */
  private void lost(String why) {
    if (state == State.CONNECTED) {
      restartIce(why);
    } else if (state == State.CONNECTING) {
      fail(new WhipException(Failure.CONNECTION, "the connection to " + whip.describe() + " failed: " + why));
    }
    // While RESTARTING, the restart's deadline decides.
  }

  private void connected() {
    epoch++;
    cancelTimer();
    if (state == State.CONNECTING) {
      if (everConnected) {
        reconnects.incrementAndGet();
      }
      log.info("publication {}: connected to {}, {} ms after the offer", id, whip.describe(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offerSentNanos));
    } else {
      log.info("publication {}: connected again to {} after the ICE restart", id, whip.describe());
    }
    everConnected = true;
    failuresInARow = 0;
    setState(State.CONNECTED);
  }

  /**
   * Reports the failure, lets go of the endpoint's resource and schedules the next attempt. A peer
   * whose offer never got an answer is kept: the next attempt POSTs the same offer again, which
   * costs no new negotiation.
   */
  private void fail(WhipException e) {
    if (state == State.STOPPED) {
      return;
    }
    epoch++;
    cancelTimer();
    failures.get(e.failure()).incrementAndGet();
    failuresInARow++;
    boolean repeated = Objects.equals(lastError, e.getMessage());
    lastError = e.getMessage();
    lastErrorAt = clock.instant();
    if (resource != null) {
      URI leaving = resource;
      whip.delete(leaving).whenComplete((status, error) ->
          log.debug("publication {}: deleted the broken resource: {}", id, error == null ? status : error.toString()));
      resource = null;
    }
    if (peer != null && (peer.answered() || e.failure() == Failure.NEGOTIATION)) {
      closePeer();
    }
    Duration wait = timings.retry().delay(e.failure(), failuresInARow, e.retryAfter(), random);
    nextAttempt = clock.instant().plus(wait);
    setState(State.RETRYING);
    // One line per kind of trouble, not one per attempt, while an endpoint stays away.
    if (repeated) {
      log.debug("publication {}: {}; next attempt in {} ms", id, e.getMessage(), wait.toMillis());
    } else {
      log.warn("publication {}: {}; next attempt in {} ms", id, e.getMessage(), wait.toMillis());
    }
    long expected = epoch;
    timer = schedule(wait, () -> {
      if (expected == epoch) {
        attempt();
      }
    });
  }

  private PublishPeer.Encoding encoding() {
    VideoFormat format = stream.source().format();
    Double scale = target.height() == null ? null : Math.max(1.0, (double) format.height() / target.height());
    return new PublishPeer.Encoding(scale, target.fps(),
        target.bitrateKbps() == null ? null : target.bitrateKbps() * 1000);
  }

  private void startStats() {
    if (statsTimer == null) {
      statsTimer = executor.scheduleWithFixedDelay(this::readStats, timings.stats().toMillis(),
          timings.stats().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void readStats() {
    PublishPeer reading = peer;
    if (reading == null || !reading.answered()) {
      return;
    }
    reading.stats(report -> post(() -> statsRead(reading, report)));
  }

  private void statsRead(PublishPeer from, RTCStatsReport report) {
    if (from != peer) {
      return;
    }
    SessionStats stats = SessionStats.of(report);
    long now = System.nanoTime();
    long delta = Math.max(0, stats.bytesSent() - peerBytes);
    if (statsAtNanos != 0 && now > statsAtNanos) {
      sentBitrate = Math.round(delta * 8 * 1e9 / (now - statsAtNanos));
    }
    statsAtNanos = now;
    peerBytes = Math.max(peerBytes, stats.bytesSent());
    bytesSent.addAndGet(delta);
    lastStats = stats;
  }

  private void closePeer() {
    if (peer != null) {
      peer.close();
      peer = null;
      statsAtNanos = 0;
      sentBitrate = 0;
    }
  }

  private void setState(State value) {
    if (state != value) {
      state = value;
      since = clock.instant();
    }
  }

  private ScheduledFuture<?> schedule(Duration delay, Runnable task) {
    try {
      return executor.schedule(() -> run(task), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private boolean post(Runnable task) {
    try {
      executor.execute(() -> run(task));
      return true;
    } catch (RejectedExecutionException e) {
      return false; // stopped: late callbacks have nowhere to go
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      log.error("publication {}: unexpected failure", id, e);
      fail(new WhipException(Failure.NEGOTIATION, "the gateway failed: " + e));
    }
  }

  /** libwebrtc's events of one peer, for the publication's thread; those of a peer let go of are dropped. */
  private final class PeerEvents implements PeerConnectionObserver {
    private PublishPeer peer;

    // Runs on libwebrtc's threads: never blocks, only hands events over.
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      Candidate copied = new Candidate(candidate.sdp, candidate.sdpMid, candidate.sdpMLineIndex);
      post(() -> {
        if (Publication.this.peer == peer) {
          peer.localCandidate(copied);
          trickle();
        }
      });
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState gathering) {
      if (gathering == RTCIceGatheringState.COMPLETE) {
        post(() -> {
          if (Publication.this.peer == peer) {
            gatheringComplete();
          }
        });
      }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState connection) {
      post(() -> onConnectionState(peer, connection));
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState ice) {
      post(() -> onIceState(peer, ice));
    }
  }

  private void gatheringComplete() {
    peer.gatheringComplete();
    if (state == State.CONNECTING && !offerSent) {
      sendOffer();
    } else if (state == State.RESTARTING && !restartSent) {
      sendRestart();
    } else {
      trickle();
    }
  }
}
