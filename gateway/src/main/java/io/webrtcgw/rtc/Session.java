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
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import io.webrtcgw.media.LiveStream;
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
import java.util.List;
import java.util.Locale;
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
 * One viewer: one peer connection sending the stream's shared track, the port to its viewer and
 * its hold on the stream. All work runs on the session's own thread; libwebrtc callbacks only
 * enqueue. What ending means for the viewer's connection is the protocol's business, not this.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);
  private static final Duration RTC_CALL_TIMEOUT = Duration.ofSeconds(10);
  /** The label of the data channel a viewer may open for messages beside its protocol's own. */
  public static final String CHANNEL_LABEL = "gateway";
  /** Longer messages on that channel are dropped: it carries a viewport now and then. */
  private static final int MAX_CHANNEL_MESSAGE_BYTES = 4096;

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
  private final LiveStream.Lease lease;
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
  private RTCRtpSender sender;
  private boolean answered;
  private List<String> remoteMids = List.of(); // per media section of the applied offer; "" if none
  private final List<Candidate> localCandidates = new ArrayList<>();
  private ScheduledFuture<?> graceTimer;
  private EncodingLimits limits;
  private RTCDataChannel dataChannel;
  private ChannelListener channelListener;
  private volatile RTCIceConnectionState iceState = RTCIceConnectionState.NEW;
  private volatile long firstPacketMillis = -1;
  private volatile boolean hasConnected;

  Session(
      String id,
      LiveStream.Lease lease,
      ViewerPort viewer,
      RtcEngine engine,
      Duration disconnectGrace,
      Clock clock,
      Consumer<Session> onEnded) {
    this.id = id;
    this.lease = lease;
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

  public String streamName() {
    return lease.stream().name();
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
    post(() -> handleViewport(width, height, visible));
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
      OfferCheck.check(sdp);
      if (pc == null) {
        pc = engine.createPeerConnection(new Observer(), id);
        state = State.CONNECTING;
      }
      String offer = OfferEdits.forGateway(sdp);
      RtcFutures.setRemote(pc, new RTCSessionDescription(RTCSdpType.OFFER, offer), RTC_CALL_TIMEOUT);
      remoteMids = OfferCheck.mids(sdp);
      if (sender == null) {
        // addTrack after applying the offer reuses the viewer's recvonly transceiver, so the
        // answer comes out sendonly on the viewer's own m-line.
        RTCPeerConnection connection = pc;
        RTCRtpSender[] added = new RTCRtpSender[1];
        RtcFutures.call("add the video track",
            () -> added[0] = connection.addTrack(engine.track(streamName()).track(), List.of("stream-" + streamName())));
        sender = added[0];
      }
      RTCSessionDescription answer = RtcFutures.createAnswer(pc, RTC_CALL_TIMEOUT);
      RtcFutures.setLocal(pc, answer, RTC_CALL_TIMEOUT);
      viewer.answer(answer.sdp);
      log.debug("session {}: answered {} offer in state {}", id, answered ? "a new" : "the first", state);
      if (!answered) {
        answered = true;
        localCandidates.forEach(viewer::candidate);
        localCandidates.clear();
        new FirstPacketWatch(pc, sender, executor, this::post, () -> state != State.CLOSED, clock,
            arrivedMillis, this::firstPacketSent).start();
        applyLimits();
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

  private void handleViewport(int width, int height, boolean visible) {
    if (state == State.CLOSED) {
      return;
    }
    EncodingLimits wanted = EncodingLimits.forViewport(lease.stream().source().format(), width, height, visible);
    if (wanted.equals(limits)) {
      return;
    }
    limits = wanted;
    if (answered) {
      applyLimits();
    }
  }

  /** Writes the viewer's limits into the sender; before the answer there is no sender to write. */
  private void applyLimits() {
    if (limits == null || sender == null) {
      return;
    }
    RTCRtpSender target = sender;
    try {
      RtcFutures.call("cap the encoder", () -> {
        RTCRtpSendParameters parameters = target.getParameters();
        if (parameters.encodings == null || parameters.encodings.isEmpty()) {
          throw new IllegalStateException("the sender has no encoding");
        }
        limits.applyTo(parameters.encodings.get(0));
        target.setParameters(parameters);
      });
      log.debug("session {}: encoder limits {}", id, limits);
    } catch (RtcFutures.RtcCallException e) {
      // The viewer still gets the full picture; only its cost is not reduced.
      log.warn("session {}: {}", id, e.getMessage());
    }
  }

  private void reject(ErrorCode code, String message) {
    if (!answered) {
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
      RTCRtpSender added = sender;
      pc = null;
      sender = null;
      if (added != null) {
        step("remove track", () -> closing.removeTrack(added));
      }
      step("close peer connection", () -> NativeRelease.closePeerConnection(closing));
      if (added != null) {
        step("release sender", () -> NativeRelease.release(added));
      }
    }
    step("leave stream", lease::close);
    step("tell the viewer", () -> viewer.ended(reason));
    step("deregister", () -> onEnded.accept(this));
    Duration lived = Duration.between(started, clock.instant());
    log.info("session {} ended: stream={} peer={} reason={} duration={}ms",
        id, streamName(), viewer.peer(), reason.label(), lived.toMillis());
    executor.shutdown();
    ended.complete(reason);
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
