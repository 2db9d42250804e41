package io.webrtcgw.rtc;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStream;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.source.I420Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session over loopback when the gateway starts, between two peer connections of its own
 * engine: an offer with the viewer's shape goes through the gateway's offer edits, ICE connects,
 * DTLS shakes hands, and frames are encoded (H.264 first, as for viewers) and decoded until one
 * arrives. Until this has run once in a process, the first real viewer pays for it: the JIT of
 * the negotiation path, libwebrtc's first peer connection and DTLS handshake, and its first
 * encoder. Nothing of it is visible to viewers, the API or the metrics.
 */
public final class LoopbackWarmUp {
  private static final Logger log = LoggerFactory.getLogger(LoopbackWarmUp.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final int WIDTH = 640;
  private static final int HEIGHT = 360;
  private static final long FRAME_MICROS = 33_333;

  private final RtcEngine engine;
  private final Duration timeout;

  public LoopbackWarmUp(RtcEngine engine, Duration timeout) {
    this.engine = engine;
    this.timeout = timeout;
  }

  /**
   * Runs the loopback session to its first decoded frame (or the timeout) and frees all of it.
   * Returns how long it took, in ms; a failure is logged, never thrown: it only costs the first
   * viewer the time it would have saved.
   */
  public long run() {
    long began = System.nanoTime();
    Side viewer = new Side("viewer");
    Side gateway = new Side("gateway");
    StreamTrack track = null;
    CompletableFuture<Void> decoded = new CompletableFuture<>();
    VideoTrackSink sink = frame -> decoded.complete(null);
    try {
      track = engine.createTrack("warm-up");
      // No STUN or TURN: the two ends meet on this host's own addresses, and nothing leaves it.
      viewer.pc = engine.createPeerConnection(viewer.observer(gateway, sink), List.of());
      gateway.pc = engine.createPeerConnection(gateway.observer(viewer, null), List.of());
      RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
      init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
      viewer.added.add(viewer.pc.addTransceiver(track.track(), init));
      RTCSessionDescription offer = RtcFutures.createOffer(viewer.pc, false, CALL_TIMEOUT);
      RtcFutures.setLocal(viewer.pc, offer, CALL_TIMEOUT);
      String edited = OfferEdits.forGateway(offer.sdp, false);
      OfferCheck.check(edited, OfferCheck.MAX_MEDIA_SECTIONS);
      RtcFutures.setRemote(gateway.pc, new RTCSessionDescription(RTCSdpType.OFFER, edited), CALL_TIMEOUT);
      StreamTrack sending = track;
      for (RTCRtpTransceiver transceiver : gateway.pc.getTransceivers()) {
        gateway.senders.add(transceiver);
        RtcFutures.call("send the warm-up track", () -> {
          transceiver.getSender().replaceTrack(sending.track());
          transceiver.setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
        });
      }
      RTCSessionDescription answer = RtcFutures.createAnswer(gateway.pc, CALL_TIMEOUT);
      RtcFutures.setLocal(gateway.pc, answer, CALL_TIMEOUT);
      gateway.described();
      RtcFutures.setRemote(viewer.pc, answer, CALL_TIMEOUT);
      viewer.described();
      feedUntil(track, decoded, began);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      log.info("warm-up: a loopback session decoded its first frame {} ms after it began", millis);
      return millis;
    } catch (TimeoutException e) {
      log.warn("warm-up: no frame came through the loopback session within {} ms; the first viewer will be slower",
          timeout.toMillis());
    } catch (RtcFutures.RtcCallException | SignalingException | RuntimeException e) {
      log.warn("warm-up: the loopback session failed ({}); the first viewer will be slower", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      viewer.close(sink);
      gateway.close(null);
      if (track != null) {
        track.close();
      }
    }
    return -1;
  }

  /** Pushes black frames at 30 fps into the track until a frame was decoded at the other end. */
  private void feedUntil(StreamTrack track, CompletableFuture<Void> decoded, long began)
      throws TimeoutException, InterruptedException {
    long deadline = began + timeout.toNanos();
    I420Frame black = I420Frame.allocate(WIDTH, HEIGHT, 0);
    java.util.Arrays.fill(black.u(), (byte) 128);
    java.util.Arrays.fill(black.v(), (byte) 128);
    long micros = 0;
    while (!decoded.isDone()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException();
      }
      micros += FRAME_MICROS;
      track.onFrame(new I420Frame(WIDTH, HEIGHT, black.y(), black.u(), black.v(), micros));
      try {
        decoded.get(FRAME_MICROS, TimeUnit.MICROSECONDS);
      } catch (TimeoutException e) {
        // not yet: the next frame
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** One of the two peer connections, with the candidates it gathered before the other side could take them. */
  private static final class Side {
    final String name;
    RTCPeerConnection pc;
    /** From addTransceiver: webrtc-java keeps a reference to each that only release() drops. */
    final List<RTCRtpTransceiver> added = new ArrayList<>();
    /** The answering side's, borrowed from its peer connection: their track goes before it closes. */
    final List<RTCRtpTransceiver> senders = new ArrayList<>();
    private final List<RTCIceCandidate> early = new ArrayList<>();
    private boolean ready;
    private VideoTrack remote;

    Side(String name) {
      this.name = name;
    }

    /** This side has both descriptions: candidates from the other side may be added now. */
    synchronized void described() {
      ready = true;
      early.forEach(pc::addIceCandidate);
      early.clear();
    }

    synchronized void add(RTCIceCandidate candidate) {
      if (ready) {
        pc.addIceCandidate(candidate);
      } else {
        early.add(candidate);
      }
    }

    /** Runs on libwebrtc's threads: hands candidates over and attaches the sink, never blocks. */
    PeerConnectionObserver observer(Side other, VideoTrackSink sink) {
      return new PeerConnectionObserver() {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
          other.add(candidate);
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
          if (sink != null && transceiver.getReceiver().getTrack() instanceof VideoTrack video) {
            synchronized (Side.this) {
              remote = video;
            }
            video.addSink(sink);
          }
        }

        @Override
        public void onAddTrack(RTCRtpReceiver receiver, MediaStream[] streams) {}
      };
    }

    void close(VideoTrackSink sink) {
      VideoTrack track;
      synchronized (this) {
        track = remote;
        remote = null;
      }
      if (track != null && sink != null) {
        track.removeSink(sink);
      }
      for (RTCRtpTransceiver transceiver : senders) {
        try {
          transceiver.getSender().replaceTrack(null);
        } catch (RuntimeException e) {
          log.debug("warm-up: {} sender: {}", name, e.toString());
        }
      }
      if (pc != null) {
        NativeRelease.closePeerConnection(pc);
        added.forEach(NativeRelease::release);
        pc = null;
      }
    }
  }
}
