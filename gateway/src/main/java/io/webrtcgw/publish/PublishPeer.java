package io.webrtcgw.publish;

import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsCollectorCallback;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.rtc.NativeRelease;
import io.webrtcgw.rtc.RtcEngine;
import io.webrtcgw.rtc.RtcFutures;
import io.webrtcgw.rtc.RtcFutures.RtcCallException;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.whep.WhepSdp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection of a publication: a sendonly transceiver carrying the stream's shared track,
 * encoded with the publication's own limits, and the offers, candidates and answers of its ICE
 * sessions. Confined to its publication's thread; libwebrtc's callbacks go to the observer it was
 * made with, which only hands them on. Made afresh for each new resource at the endpoint.
 */
final class PublishPeer {
  private static final Logger log = LoggerFactory.getLogger(PublishPeer.class);
  private static final Duration RTC_CALL_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The codecs offered first, as for the gateway's own viewers (rtc/OfferEdits): OpenH264 costs
   * less per encode than libvpx's VP8 (README, "Benchmark"). Every codec stays offered, so an
   * endpoint without H.264 takes VP8.
   */
  static final List<String> CODEC_ORDER = List.of("H264", "VP8");

  /**
   * How this peer's encoder is capped; a null leaves libwebrtc's own choice (the source's size and
   * rate, libwebrtc's bitrate ceiling for that size).
   */
  record Encoding(Double scaleDownBy, Double maxFramerate, Integer maxBitrateBps) {
    static final Encoding FULL = new Encoding(null, null, null);
  }

  private final RTCPeerConnection pc;
  private final RTCRtpTransceiver transceiver;
  private final RTCRtpSender sender;
  private List<IceServer> iceServers;
  private String offer;
  private WhepSdp.IceCredentials credentials;
  private String remote;
  /** The local candidates of the current ICE credentials, in the order they came. */
  private final List<Candidate> candidates = new ArrayList<>();
  private int sent;
  private boolean gathered;
  private boolean endSent;
  private boolean closed;

  /**
   * @throws RtcCallException when libwebrtc refuses the connection or the transceiver
   */
  PublishPeer(RtcEngine engine, VideoTrack track, String streamId, List<IceServer> iceServers, Encoding encoding,
      PeerConnectionObserver observer) throws RtcCallException {
    this.iceServers = List.copyOf(iceServers);
    RTCPeerConnection[] connection = new RTCPeerConnection[1];
    RtcFutures.call("create a peer connection", () -> connection[0] = engine.createPeerConnection(observer, this.iceServers));
    RTCPeerConnection created = connection[0];
    this.pc = created;
    RTCRtpTransceiver[] added = new RTCRtpTransceiver[1];
    try {
      RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
      init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
      init.streamIds = List.of(streamId);
      RTCRtpEncodingParameters parameters = new RTCRtpEncodingParameters();
      parameters.scaleResolutionDownBy = encoding.scaleDownBy();
      parameters.maxFramerate = encoding.maxFramerate();
      parameters.maxBitrate = encoding.maxBitrateBps();
      init.sendEncodings = List.of(parameters);
      RtcFutures.call("add the video transceiver", () -> added[0] = created.addTransceiver(track, init));
    } catch (RtcCallException e) {
      step("close peer connection", () -> NativeRelease.closePeerConnection(created));
      throw e;
    }
    this.transceiver = added[0];
    this.sender = transceiver.getSender();
    preferCodecs(engine);
  }

  private void preferCodecs(RtcEngine engine) {
    try {
      List<RTCRtpCodecCapability> codecs = new ArrayList<>(engine.videoSendCodecs());
      codecs.sort(Comparator.comparingInt((RTCRtpCodecCapability codec) -> rank(codec.getName()))
          .thenComparing(codec -> "0".equals(codec.getSDPFmtp().get("packetization-mode"))));
      RtcFutures.call("order the codecs", () -> transceiver.setCodecPreferences(codecs));
    } catch (RtcCallException | RuntimeException e) {
      // The endpoint still gets every codec, in libwebrtc's order.
      log.debug("codec preferences not applied: {}", e.getMessage());
    }
  }

  private static int rank(String name) {
    int index = CODEC_ORDER.indexOf(name == null ? "" : name.toUpperCase(Locale.ROOT));
    return index < 0 ? CODEC_ORDER.size() : index;
  }

  /**
   * Makes and applies an offer; with {@code iceRestart}, one with new ICE credentials. The
   * candidates of the earlier credentials are forgotten. Returns the offer without candidates.
   */
  String offer(boolean iceRestart) throws RtcCallException {
    RTCSessionDescription description = RtcFutures.createOffer(pc, iceRestart, RTC_CALL_TIMEOUT);
    RtcFutures.setLocal(pc, description, RTC_CALL_TIMEOUT);
    offer = description.sdp;
    credentials = WhepSdp.credentials(offer);
    candidates.clear();
    sent = 0;
    gathered = false;
    endSent = false;
    return offer;
  }

  /** A candidate libwebrtc gathered; one of earlier ICE credentials is dropped. */
  void localCandidate(Candidate candidate) {
    String ufrag = WhepSdp.candidateUfrag(candidate.candidate());
    if (offer == null || (ufrag != null && !ufrag.equals(credentials.ufrag()))) {
      return;
    }
    candidates.add(candidate);
  }

  void gatheringComplete() {
    gathered = true;
  }

  boolean gathered() {
    return gathered;
  }

  /** The current offer with every candidate gathered so far; those count as sent. */
  String offerWithCandidates() {
    sent = candidates.size();
    endSent = gathered;
    return WhepSdp.withCandidates(offer, candidates, gathered);
  }

  /**
   * A trickle-ice-sdpfrag of the current credentials with the candidates not sent yet (and
   * end-of-candidates once gathering is complete); those count as sent. Null when there is nothing
   * new to say.
   */
  String unsentFragment() {
    if (sent == candidates.size() && (endSent || !gathered)) {
      return null;
    }
    List<Candidate> fresh = List.copyOf(candidates.subList(sent, candidates.size()));
    sent = candidates.size();
    endSent = gathered;
    return WhepSdp.fragment(credentials, WhepSdp.firstMedia(offer), fresh, gathered);
  }

  /** The ICE restart's fragment: the new credentials and every candidate gathered for them. */
  String restartFragment() {
    sent = candidates.size();
    endSent = gathered;
    return WhepSdp.fragment(credentials, WhepSdp.firstMedia(offer), candidates, gathered);
  }

  boolean hasOffer() {
    return offer != null;
  }

  /** Whether an answer has been applied: this peer's offer was taken and cannot be sent again. */
  boolean answered() {
    return remote != null;
  }

  String remote() {
    return remote;
  }

  /** The media id of the offer's one section, for candidates that do not name theirs. */
  String mid() {
    String mid = offer == null ? null : WhepSdp.firstMedia(offer).mid();
    return mid == null ? "0" : mid;
  }

  void answer(String sdp) throws RtcCallException {
    RtcFutures.setRemote(pc, new RTCSessionDescription(RTCSdpType.ANSWER, sdp), RTC_CALL_TIMEOUT);
    remote = sdp;
  }

  void addRemoteCandidate(Candidate candidate) throws RtcCallException {
    RTCIceCandidate parsed = new RTCIceCandidate(candidate.sdpMid() == null ? mid() : candidate.sdpMid(),
        candidate.sdpMLineIndex() == null ? 0 : candidate.sdpMLineIndex(), candidate.candidate());
    RtcFutures.call("add the endpoint's candidate", () -> pc.addIceCandidate(parsed));
  }

  List<IceServer> iceServers() {
    return iceServers;
  }

  /** Gathers with {@code servers} from the next ICE restart on (libwebrtc keeps the current gathering). */
  void useIceServers(List<IceServer> servers) throws RtcCallException {
    RtcFutures.call("use the endpoint's ICE servers", () -> {
      RTCConfiguration configuration = pc.getConfiguration();
      configuration.iceServers = RtcEngine.toNative(servers);
      pc.setConfiguration(configuration);
    });
    iceServers = List.copyOf(servers);
  }

  /** Asks for the connection's statistics; the callback runs on a libwebrtc thread. */
  void stats(RTCStatsCollectorCallback callback) {
    if (closed) {
      return;
    }
    try {
      pc.getStats(callback);
    } catch (RuntimeException | Error e) {
      log.debug("stats refused: {}", e.toString());
    }
  }

  /** Releases in reverse order of creation; safe to call twice, one failing step does not stop the rest. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    step("remove track", () -> pc.removeTrack(sender));
    step("close peer connection", () -> NativeRelease.closePeerConnection(pc));
    step("release transceiver", () -> NativeRelease.release(transceiver));
  }

  private static void step(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException | Error e) {
      log.warn("publication peer: {} failed: {}", what, e.toString());
    }
  }
}
