package io.webrtcgw.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.rtc.NativeRelease;
import io.webrtcgw.source.pattern.FrameStamp;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real webrtc-java viewer for tests and the benchmark: signals over the gateway's WebSocket,
 * receives the video, and reads the pattern stamp off every decoded frame.
 */
public final class LoopbackViewer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One received frame: its size, its stamp and when it arrived. */
  public record ReceivedFrame(int width, int height, FrameStamp stamp, long receivedMillis) {}

  private final PeerConnectionFactory factory;
  private final CustomVideoSource dummySource = new CustomVideoSource();
  private final VideoTrack dummyTrack;
  private final RTCPeerConnection pc;
  private final SignalingClient signaling;
  private final List<ReceivedFrame> frames = new ArrayList<>();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final AtomicInteger frameCount = new AtomicInteger();
  private final boolean readStamps;
  private volatile VideoTrack remoteTrack;
  private final VideoTrackSink sink = this::onFrame;
  private volatile boolean remoteSet;
  private final List<RTCIceCandidate> pendingRemote = new ArrayList<>();
  /** Local candidates wait until the offer is on the wire: the gateway refuses them before it. */
  private final List<String> pendingLocal = new ArrayList<>();
  private boolean offerSent;
  private final List<RTCRtpTransceiver> transceivers = new ArrayList<>();
  private volatile String offerSdp;
  private volatile String answerSdp;
  private boolean mediaDropped; // guarded by this

  private LoopbackViewer(PeerConnectionFactory factory, int port, String stream, boolean readStamps) throws Exception {
    this.factory = factory;
    this.readStamps = readStamps;
    this.dummyTrack = factory.createVideoTrack("dummy", dummySource);
    this.pc = factory.createPeerConnection(new RTCConfiguration(), new Observer());
    this.signaling = SignalingClient.connect(port, stream, this::onMessage);
  }

  /** Connects to {@code ws://host:port/ws/stream} and does not yet offer. */
  public static LoopbackViewer open(PeerConnectionFactory factory, int port, String stream) throws Exception {
    return new LoopbackViewer(factory, port, stream, true);
  }

  /** As {@link #open} but does not decode stamps (cheaper: for load). */
  public static LoopbackViewer openQuiet(PeerConnectionFactory factory, int port, String stream) throws Exception {
    return new LoopbackViewer(factory, port, stream, false);
  }

  /** Opens, offers recvonly video, and waits for the answer. */
  public static LoopbackViewer watch(PeerConnectionFactory factory, int port, String stream) throws Exception {
    LoopbackViewer viewer = open(factory, port, stream);
    viewer.expect("hello", Duration.ofSeconds(10));
    viewer.offer();
    return viewer;
  }

  /** Sends a recvonly video offer and applies the answer once it comes. */
  public void offer() throws Exception {
    RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
    init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
    transceivers.add(pc.addTransceiver(dummyTrack, init));
    negotiate(new RTCOfferOptions());
  }

  /**
   * Offers again on the same socket with fresh ICE credentials, as a browser does after its
   * connection failed, and applies the answer. Returns the answer's SDP.
   */
  public String restartIce() throws Exception {
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = true;
    return negotiate(options);
  }

  /** The SDP of the last offer sent. */
  public String lastOfferSdp() {
    return offerSdp;
  }

  /** The SDP of the last answer applied. */
  public String answerSdp() {
    return answerSdp;
  }

  /**
   * Closes the peer connection but keeps the socket open, as a viewer whose network vanished
   * while its signaling connection lingers.
   */
  public synchronized void dropMedia() {
    if (mediaDropped) {
      return;
    }
    VideoTrack track = remoteTrack;
    if (track != null) {
      track.removeSink(sink);
    }
    NativeRelease.closePeerConnection(pc);
    transceivers.forEach(NativeRelease::release);
    mediaDropped = true;
  }

  private String negotiate(RTCOfferOptions options) throws Exception {
    // Candidates of the new offer wait for it to be on the wire, those of the new answer for the
    // answer to be applied: either side refuses candidates for a description it does not have.
    synchronized (pendingLocal) {
      offerSent = false;
    }
    synchronized (pendingRemote) {
      remoteSet = false;
    }
    CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
    pc.createOffer(options, new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        offer.complete(description);
      }

      @Override
      public void onFailure(String error) {
        offer.completeExceptionally(new IllegalStateException(error));
      }
    });
    RTCSessionDescription description = offer.get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> applied = new CompletableFuture<>();
    pc.setLocalDescription(description, observer(applied));
    applied.get(10, TimeUnit.SECONDS);
    offerSdp = description.sdp;
    ObjectNode message = JSON.createObjectNode().put("type", "offer").put("sdp", description.sdp);
    synchronized (pendingLocal) {
      signaling.send(message.toString());
      offerSent = true;
      pendingLocal.forEach(signaling::sendAsync);
      pendingLocal.clear();
    }
    JsonNode answer = expect("answer", Duration.ofSeconds(15));
    CompletableFuture<Void> remote = new CompletableFuture<>();
    pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer.get("sdp").asText()), observer(remote));
    remote.get(10, TimeUnit.SECONDS);
    answerSdp = answer.get("sdp").asText();
    synchronized (pendingRemote) {
      remoteSet = true;
      pendingRemote.forEach(pc::addIceCandidate);
      pendingRemote.clear();
    }
    return answerSdp;
  }

  /** The signaling connection, for raw messages. */
  public SignalingClient signaling() {
    return signaling;
  }

  /** Waits for the next message of {@code type}, failing on an error message. */
  public JsonNode expect(String type, Duration timeout) throws InterruptedException {
    return signaling.expect(type, timeout);
  }

  public void awaitConnected(Duration timeout) throws Exception {
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until at least {@code count} frames have been received. */
  public void awaitFrames(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (frames) {
      while (frameCount.get() < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("received " + frameCount.get() + " of " + count + " frames within "
              + timeout.toMillis() + " ms");
        }
        frames.wait(left);
      }
    }
  }

  public int frameCount() {
    return frameCount.get();
  }

  /** What the receiver's jitter buffer has held so far: the sum of its delays and the frames it let go. */
  public record JitterBuffer(double delaySeconds, long emitted) {
    /** The mean delay per frame since {@code earlier}, in milliseconds. */
    public double meanMillisSince(JitterBuffer earlier) {
      long frames = emitted - earlier.emitted;
      return frames == 0 ? 0 : (delaySeconds - earlier.delaySeconds) * 1000 / frames;
    }
  }

  /** The video receiver's jitter buffer totals, from the inbound-rtp stats. */
  public JitterBuffer jitterBuffer() throws Exception {
    CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
    pc.getStats(report::complete);
    for (RTCStats stats : report.get(10, TimeUnit.SECONDS).getStats().values()) {
      if (stats.getType() == RTCStatsType.INBOUND_RTP && "video".equals(stats.getAttributes().get("kind"))) {
        Object delay = stats.getAttributes().get("jitterBufferDelay");
        Object emitted = stats.getAttributes().get("jitterBufferEmittedCount");
        if (delay instanceof Number d && emitted instanceof Number e) {
          return new JitterBuffer(d.doubleValue(), e.longValue());
        }
      }
    }
    throw new IllegalStateException("no video inbound-rtp stats with jitter buffer figures");
  }

  /** The last frame received with its stamp read, or null before the first. */
  public ReceivedFrame lastFrame() {
    synchronized (frames) {
      return frames.isEmpty() ? null : frames.get(frames.size() - 1);
    }
  }

  public List<ReceivedFrame> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  private void onFrame(VideoFrame frame) {
    try {
      ReceivedFrame received = readStamps ? read(frame) : null;
      synchronized (frames) {
        if (received != null && frames.size() < 100_000) {
          frames.add(received);
        }
        frameCount.incrementAndGet();
        frames.notifyAll();
      }
    } finally {
      frame.release();
    }
  }

  /** A decoded frame's size and the pattern stamp read off it; the frame stays the caller's to release. */
  public static ReceivedFrame read(VideoFrame frame) {
    I420Buffer buffer = frame.buffer.toI420();
    try {
      ByteBuffer luma = buffer.getDataY();
      int stride = buffer.getStrideY();
      FrameStamp stamp = FrameStamp.read(
          (x, y) -> luma.get(y * stride + x) & 0xFF, buffer.getWidth(), buffer.getHeight());
      return new ReceivedFrame(buffer.getWidth(), buffer.getHeight(), stamp, System.currentTimeMillis());
    } finally {
      if (buffer != frame.buffer) {
        buffer.release();
      }
    }
  }

  private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        done.complete(null);
      }

      @Override
      public void onFailure(String error) {
        done.completeExceptionally(new IllegalStateException(error));
      }
    };
  }

  /** Closes the socket and the peer connection; frees the native objects it created. */
  @Override
  public void close() {
    signaling.close();
    dropMedia();
    try {
      dummyTrack.dispose();
    } catch (Error e) {
      // still referenced by a transceiver that libwebrtc frees later; nothing to do here
    }
    dummySource.dispose();
  }

  private final class Observer implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      ObjectNode message = JSON.createObjectNode()
          .put("type", "candidate")
          .put("candidate", candidate.sdp)
          .put("sdpMid", candidate.sdpMid)
          .put("sdpMLineIndex", candidate.sdpMLineIndex);
      synchronized (pendingLocal) {
        if (offerSent) {
          signaling.sendAsync(message.toString());
        } else {
          pendingLocal.add(message.toString());
        }
      }
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState state) {
      if (state == RTCIceConnectionState.CONNECTED || state == RTCIceConnectionState.COMPLETED) {
        connected.complete(null);
      }
    }

    @Override
    public void onTrack(RTCRtpTransceiver transceiver) {
      MediaStreamTrack track = transceiver.getReceiver().getTrack();
      if (track instanceof VideoTrack video) {
        remoteTrack = video;
        video.addSink(sink);
      }
    }
  }

  private void onMessage(JsonNode message) {
    if (!"candidate".equals(message.path("type").asText())) {
      return;
    }
    if (message.path("candidate").asText().isEmpty()) {
      return; // end of the gateway's candidates: libwebrtc has nothing to add for it
    }
    RTCIceCandidate candidate = new RTCIceCandidate(message.path("sdpMid").asText(),
        message.path("sdpMLineIndex").asInt(), message.path("candidate").asText());
    synchronized (pendingRemote) {
      if (remoteSet) {
        pc.addIceCandidate(candidate);
      } else {
        pendingRemote.add(candidate);
      }
    }
  }
}
