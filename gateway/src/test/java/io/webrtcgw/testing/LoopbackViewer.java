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
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.rtc.NativeRelease;
import io.webrtcgw.source.pattern.FrameStamp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
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
  private final WebSocket socket;
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final List<ReceivedFrame> frames = new ArrayList<>();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final CompletableFuture<Integer> socketClosed = new CompletableFuture<>();
  private final AtomicInteger frameCount = new AtomicInteger();
  private final boolean readStamps;
  private volatile VideoTrack remoteTrack;
  private final VideoTrackSink sink = this::onFrame;
  private volatile boolean remoteSet;
  private final List<RTCIceCandidate> pendingRemote = new ArrayList<>();

  private LoopbackViewer(PeerConnectionFactory factory, URI ws, boolean readStamps) throws Exception {
    this.factory = factory;
    this.readStamps = readStamps;
    this.dummyTrack = factory.createVideoTrack("dummy", dummySource);
    this.pc = factory.createPeerConnection(new RTCConfiguration(), new Observer());
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(ws, new Listener()).get(10, TimeUnit.SECONDS);
  }

  /** Connects to {@code ws://host:port/ws/stream} and does not yet offer. */
  public static LoopbackViewer open(PeerConnectionFactory factory, int port, String stream) throws Exception {
    return new LoopbackViewer(factory, URI.create("ws://127.0.0.1:" + port + "/ws/" + stream), true);
  }

  /** As {@link #open} but does not decode stamps (cheaper: for load). */
  public static LoopbackViewer openQuiet(PeerConnectionFactory factory, int port, String stream) throws Exception {
    return new LoopbackViewer(factory, URI.create("ws://127.0.0.1:" + port + "/ws/" + stream), false);
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
    pc.addTransceiver(dummyTrack, init);
    CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
    pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
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
    ObjectNode message = JSON.createObjectNode().put("type", "offer").put("sdp", description.sdp);
    send(message.toString());
    JsonNode answer = expect("answer", Duration.ofSeconds(15));
    CompletableFuture<Void> remote = new CompletableFuture<>();
    pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer.get("sdp").asText()), observer(remote));
    remote.get(10, TimeUnit.SECONDS);
    synchronized (pendingRemote) {
      remoteSet = true;
      pendingRemote.forEach(pc::addIceCandidate);
      pendingRemote.clear();
    }
  }

  /** Sends raw text on the signaling socket. */
  public void send(String text) {
    socket.sendText(text, true).join();
  }

  /**
   * Waits for the next message of {@code type}; candidates arriving meanwhile are applied, other
   * messages are returned only if they are of the expected type (errors fail fast).
   */
  public JsonNode expect(String type, Duration timeout) throws Exception {
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
      if (got.equals("error") && !type.equals("error")) {
        throw new AssertionError("gateway sent an error while waiting for '" + type + "': " + message);
      }
    }
  }

  /** Waits for the signaling socket to be closed by the gateway; returns the close code. */
  public int awaitClose(Duration timeout) throws Exception {
    return socketClosed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isSocketClosed() {
    return socketClosed.isDone();
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

  public List<ReceivedFrame> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  private void onFrame(VideoFrame frame) {
    try {
      ReceivedFrame received = null;
      if (readStamps) {
        I420Buffer buffer = frame.buffer.toI420();
        try {
          ByteBuffer luma = buffer.getDataY();
          int stride = buffer.getStrideY();
          FrameStamp stamp = FrameStamp.read(
              (x, y) -> luma.get(y * stride + x) & 0xFF, buffer.getWidth(), buffer.getHeight());
          received = new ReceivedFrame(buffer.getWidth(), buffer.getHeight(), stamp, System.currentTimeMillis());
        } finally {
          if (buffer != frame.buffer) {
            buffer.release();
          }
        }
      }
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
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      socket.abort();
    }
    VideoTrack track = remoteTrack;
    if (track != null) {
      track.removeSink(sink);
    }
    NativeRelease.closePeerConnection(pc);
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
      socket.sendText(message.toString(), true);
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

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if ("candidate".equals(message.path("type").asText())) {
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
          messages.add(message);
        } catch (Exception e) {
          messages.add(JSON.createObjectNode().put("type", "unparseable").put("text", text.toString()));
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      socketClosed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      socketClosed.complete(-1);
    }
  }
}
