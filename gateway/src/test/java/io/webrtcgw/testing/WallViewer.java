package io.webrtcgw.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.rtc.NativeRelease;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A webrtc-java viewer of a wall ({@code /ws}): one peer connection with as many recvonly video
 * transceivers as it is given, which subscribes each to a stream and counts the frames each
 * receives, and their size.
 */
public final class WallViewer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one media section has received so far. */
  public record Received(int frames, int width, int height) {}

  private final CustomVideoSource dummySource = new CustomVideoSource();
  private final VideoTrack dummyTrack;
  private final RTCPeerConnection pc;
  private final SignalingClient signaling;
  private final JsonNode hello;
  private final List<RTCRtpTransceiver> transceivers = new ArrayList<>();
  private final List<VideoTrack> tracks = new ArrayList<>();
  private final List<VideoTrackSink> sinks = new ArrayList<>();
  private final Map<Integer, Received> received = new ConcurrentHashMap<>();
  private final List<JsonNode> errors = new CopyOnWriteArrayList<>();
  private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
  private final List<RTCIceCandidate> pendingRemote = new ArrayList<>();
  private final List<String> pendingLocal = new ArrayList<>();
  private boolean offerSent; // guarded by pendingLocal
  private boolean remoteSet; // guarded by pendingRemote
  private boolean closed;

  private WallViewer(PeerConnectionFactory factory, int port, String token) throws Exception {
    dummyTrack = factory.createVideoTrack("dummy", dummySource);
    pc = factory.createPeerConnection(new RTCConfiguration(), new Observer());
    String query = token == null ? "" : "?token=" + token;
    signaling = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws" + query), this::onMessage);
    hello = signaling.expect("hello", Duration.ofSeconds(10));
  }

  /** Connects to {@code ws://127.0.0.1:port/ws} (with {@code ?token=} unless null) and waits for hello. */
  public static WallViewer open(PeerConnectionFactory factory, int port, String token) throws Exception {
    return new WallViewer(factory, port, token);
  }

  public JsonNode hello() {
    return hello;
  }

  /** Adds {@code count} recvonly video transceivers; they get their mids at the next {@link #negotiate}. */
  public void addTiles(int count) {
    for (int i = 0; i < count; i++) {
      RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
      init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
      RTCRtpTransceiver transceiver = pc.addTransceiver(dummyTrack, init);
      int index = transceivers.size();
      transceivers.add(transceiver);
      VideoTrack track = (VideoTrack) transceiver.getReceiver().getTrack();
      VideoTrackSink sink = frame -> onFrame(index, frame);
      track.addSink(sink);
      tracks.add(track);
      sinks.add(sink);
    }
  }

  /** The mid of transceiver {@code index} (in the order added), once negotiated. */
  public String mid(int index) {
    return transceivers.get(index).getMid();
  }

  /**
   * Makes an offer and applies it locally, lets {@code beforeOffer} send what must precede it (the
   * subscriptions, now that every transceiver has its mid), sends it and applies the answer, which
   * it returns.
   */
  public String negotiate(Consumer<WallViewer> beforeOffer) throws Exception {
    return negotiate(new RTCOfferOptions(), beforeOffer);
  }

  /** Offers again with fresh ICE credentials, as a browser restarting ICE does; returns the answer. */
  public String restartIce() throws Exception {
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = true;
    return negotiate(options, viewer -> { });
  }

  private String negotiate(RTCOfferOptions options, Consumer<WallViewer> beforeOffer) throws Exception {
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
    beforeOffer.accept(this);
    answers.clear();
    synchronized (pendingLocal) {
      signaling.send(JSON.createObjectNode().put("type", "offer").put("sdp", description.sdp).toString());
      offerSent = true;
      pendingLocal.forEach(signaling::sendAsync);
      pendingLocal.clear();
    }
    JsonNode answer = answers.poll(15, TimeUnit.SECONDS);
    if (answer == null) {
      throw new AssertionError("no answer within 15 s; errors: " + errors);
    }
    String sdp = answer.path("sdp").asText();
    CompletableFuture<Void> remote = new CompletableFuture<>();
    pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), observer(remote));
    remote.get(10, TimeUnit.SECONDS);
    synchronized (pendingRemote) {
      remoteSet = true;
      pendingRemote.forEach(pc::addIceCandidate);
      pendingRemote.clear();
    }
    return sdp;
  }

  /** Sends {@code subscribe} for transceiver {@code index}'s mid. */
  public void subscribe(int index, String stream) {
    send(JSON.createObjectNode().put("type", "subscribe").put("mid", mid(index)).put("stream", stream));
  }

  public void unsubscribe(int index) {
    send(JSON.createObjectNode().put("type", "unsubscribe").put("mid", mid(index)));
  }

  public void viewport(int index, int width, int height, boolean visible) {
    send(JSON.createObjectNode().put("type", "viewport").put("mid", mid(index)).put("width", width)
        .put("height", height).put("visible", visible));
  }

  /** Sends one message as it is. */
  public void send(ObjectNode message) {
    signaling.send(message.toString());
  }

  public void sendRaw(String text) {
    signaling.send(text);
  }

  /** Every error the gateway has sent so far. */
  public List<JsonNode> errors() {
    return List.copyOf(errors);
  }

  /** Waits for an error with {@code code}, naming {@code mid} when it is not null. */
  public JsonNode awaitError(String code, String mid, Duration timeout) {
    JsonNode[] found = new JsonNode[1];
    Await.until(() -> "an error " + code + " for mid " + mid + "; got " + errors, () -> {
      for (JsonNode error : errors) {
        if (error.path("code").asText().equals(code) && (mid == null || mid.equals(error.path("mid").asText()))) {
          found[0] = error;
          return true;
        }
      }
      return false;
    }, timeout);
    return found[0];
  }

  /** What transceiver {@code index} has received. */
  public Received received(int index) {
    return received.getOrDefault(index, new Received(0, 0, 0));
  }

  public int frames(int index) {
    return received(index).frames();
  }

  /** Waits until transceiver {@code index} has received {@code more} frames beyond what it had. */
  public void awaitMoreFrames(int index, int more, Duration timeout) {
    int target = frames(index) + more;
    Await.until(() -> "tile " + index + " to receive " + more + " more frames (has " + frames(index) + ")",
        () -> frames(index) >= target, timeout);
  }

  /** Waits for a frame of {@code width} x {@code height} on transceiver {@code index}. */
  public void awaitSize(int index, int width, int height, Duration timeout) {
    Await.until(() -> "tile " + index + " at " + width + "x" + height + " (has " + received(index) + ")", () -> {
      Received now = received(index);
      return now.width() == width && now.height() == height;
    }, timeout);
  }

  public SignalingClient signaling() {
    return signaling;
  }

  private void onFrame(int index, VideoFrame frame) {
    try {
      int width = frame.buffer.getWidth();
      int height = frame.buffer.getHeight();
      received.merge(index, new Received(1, width, height),
          (before, one) -> new Received(before.frames() + 1, one.width(), one.height()));
    } finally {
      frame.release();
    }
  }

  private void onMessage(JsonNode message) {
    switch (message.path("type").asText()) {
      case "error" -> errors.add(message);
      case "answer" -> answers.add(message);
      case "candidate" -> {
        if (message.path("candidate").asText().isEmpty()) {
          return;
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
      default -> { }
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

  /** Closes the socket and the peer connection, and frees the native objects it created. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    signaling.close();
    for (int i = 0; i < tracks.size(); i++) {
      tracks.get(i).removeSink(sinks.get(i));
    }
    NativeRelease.closePeerConnection(pc);
    transceivers.forEach(NativeRelease::release);
    try {
      dummyTrack.dispose();
    } catch (Error e) {
      // still referenced by a transceiver that libwebrtc frees later
    }
    dummySource.dispose();
  }

  private final class Observer implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      String message = JSON.createObjectNode().put("type", "candidate").put("candidate", candidate.sdp)
          .put("sdpMid", candidate.sdpMid).put("sdpMLineIndex", candidate.sdpMLineIndex).toString();
      synchronized (pendingLocal) {
        if (offerSent) {
          signaling.sendAsync(message);
        } else {
          pendingLocal.add(message);
        }
      }
    }
  }
}
