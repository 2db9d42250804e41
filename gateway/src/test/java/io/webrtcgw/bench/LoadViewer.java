package io.webrtcgw.bench;

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
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.webrtcgw.rtc.NativeRelease;
import io.webrtcgw.testing.SignalingClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One cheap benchmark viewer: a webrtc-java receiver with no Java frame sink (webrtc-java copies
 * every frame it hands to Java), counting frames from its inbound-rtp stats instead. libwebrtc
 * still decodes every frame it receives; webrtc-java offers no way to receive without decoding.
 */
final class LoadViewer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Cumulative receive counters at one moment. */
  record Sample(long timeMicros, long framesDecoded, long framesReceived, long framesDropped,
      int width, int height, String codec, long bytesReceived) {}

  private final CustomVideoSource dummySource = new CustomVideoSource();
  private final VideoTrack dummyTrack;
  private final RTCPeerConnection pc;
  private final SignalingClient signaling;
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final List<RTCIceCandidate> pendingRemote = new ArrayList<>();
  private final List<String> pendingLocal = new ArrayList<>();
  private boolean remoteSet;
  private boolean offerSent;

  LoadViewer(PeerConnectionFactory factory, int port, String stream) throws Exception {
    this.dummyTrack = factory.createVideoTrack("dummy", dummySource);
    this.pc = factory.createPeerConnection(new RTCConfiguration(), new Observer());
    this.signaling = SignalingClient.connect(port, stream, this::onMessage);
  }

  /**
   * Offers recvonly video limited to {@code codecs} (all of the receiver's when empty), applies
   * the answer and reports {@code viewport} (null: none) as the player would.
   */
  void start(List<RTCRtpCodecCapability> codecs, ObjectNode viewport, Duration timeout) throws Exception {
    signaling.expect("hello", timeout);
    RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
    init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
    RTCRtpTransceiver transceiver = pc.addTransceiver(dummyTrack, init);
    if (!codecs.isEmpty()) {
      transceiver.setCodecPreferences(codecs);
    }
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
    RTCSessionDescription description = offer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<Void> applied = new CompletableFuture<>();
    pc.setLocalDescription(description, observer(applied));
    applied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    synchronized (pendingLocal) {
      signaling.send(JSON.createObjectNode().put("type", "offer").put("sdp", description.sdp).toString());
      offerSent = true;
      pendingLocal.forEach(signaling::sendAsync);
      pendingLocal.clear();
    }
    JsonNode answer = signaling.expect("answer", timeout);
    CompletableFuture<Void> remote = new CompletableFuture<>();
    pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer.get("sdp").asText()), observer(remote));
    remote.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    synchronized (pendingRemote) {
      remoteSet = true;
      pendingRemote.forEach(pc::addIceCandidate);
      pendingRemote.clear();
    }
    if (viewport != null) {
      signaling.send(viewport.toString());
    }
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The video inbound-rtp counters now. */
  CompletableFuture<Sample> sample() {
    CompletableFuture<Sample> result = new CompletableFuture<>();
    pc.getStats(report -> result.complete(toSample(report)));
    return result;
  }

  private static Sample toSample(RTCStatsReport report) {
    Map<String, RTCStats> all = report.getStats();
    for (RTCStats stats : all.values()) {
      Map<String, Object> a = stats.getAttributes();
      if (stats.getType() != RTCStatsType.INBOUND_RTP || !"video".equals(a.get("kind"))) {
        continue;
      }
      RTCStats codec = a.get("codecId") == null ? null : all.get(String.valueOf(a.get("codecId")));
      return new Sample(report.getTimestamp(), number(a, "framesDecoded"), number(a, "framesReceived"),
          number(a, "framesDropped"), (int) number(a, "frameWidth"), (int) number(a, "frameHeight"),
          codec == null ? "" : String.valueOf(codec.getAttributes().get("mimeType")), number(a, "bytesReceived"));
    }
    return new Sample(report.getTimestamp(), 0, 0, 0, 0, 0, "", 0);
  }

  private static long number(Map<String, Object> attributes, String name) {
    return attributes.get(name) instanceof Number n ? n.longValue() : 0;
  }

  @Override
  public void close() {
    signaling.close();
    NativeRelease.closePeerConnection(pc);
    try {
      dummyTrack.dispose();
    } catch (Error e) {
      // still referenced by a transceiver that libwebrtc frees later
    }
    dummySource.dispose();
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

  private void onMessage(JsonNode message) {
    if (!"candidate".equals(message.path("type").asText()) || message.path("candidate").asText().isEmpty()) {
      return; // an empty candidate only marks the end of the gateway's candidates
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

  private final class Observer implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      String message = JSON.createObjectNode()
          .put("type", "candidate")
          .put("candidate", candidate.sdp)
          .put("sdpMid", candidate.sdpMid)
          .put("sdpMLineIndex", candidate.sdpMLineIndex)
          .toString();
      synchronized (pendingLocal) {
        if (offerSent) {
          signaling.sendAsync(message);
        } else {
          pendingLocal.add(message);
        }
      }
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState state) {
      if (state == RTCIceConnectionState.CONNECTED || state == RTCIceConnectionState.COMPLETED) {
        connected.complete(null);
      } else if (state == RTCIceConnectionState.FAILED) {
        connected.completeExceptionally(new IllegalStateException("ICE failed"));
      }
    }
  }
}
