package io.webrtcgw.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCBundlePolicy;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtcpMuxPolicy;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.NetworkConfig;
import io.webrtcgw.config.TurnConfig;
import io.webrtcgw.media.LiveStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link PeerConnectionFactory} of the process and the audio module it needs, and the
 * owner of every webrtc-java object made from it: each stream's track ({@link StreamTrack}) and
 * each session's peer connection. Disposed last, after every session and stream.
 */
public final class RtcEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RtcEngine.class);

  private final HeadlessAudioDeviceModule audioModule;
  private final PeerConnectionFactory factory;
  private final List<IceServer> iceServers;
  private final TurnCredentials turn;
  private final NetworkConfig network;
  private final PublicAddress publicAddress;
  private final Map<String, StreamTrack> tracks = new ConcurrentHashMap<>();
  private final List<StreamTrack> ownTracks = new ArrayList<>();
  private boolean closed;

  public RtcEngine(List<IceServer> iceServers) {
    this(iceServers, null, NetworkConfig.DEFAULT, Clock.systemUTC());
  }

  /**
   * @param turn a TURN server whose credentials are minted per session, or null
   * @param network the public address and UDP port range media must use
   */
  public RtcEngine(List<IceServer> iceServers, TurnConfig turn, NetworkConfig network, Clock clock) {
    this.iceServers = List.copyOf(iceServers);
    this.turn = turn == null ? null : new TurnCredentials(turn, clock);
    this.network = network;
    this.publicAddress = new PublicAddress(network.publicIp());
    NativeRelease.checkVersion();
    // A plain PeerConnectionFactory opens the system's sound devices and aborts the JVM where
    // there are none; a receive-only video gateway needs no audio device at all.
    this.audioModule = new HeadlessAudioDeviceModule();
    PeerConnectionFactory created;
    try {
      created = new PeerConnectionFactory(audioModule);
    } catch (RuntimeException | Error e) {
      audioModule.dispose();
      throw e;
    }
    this.factory = created;
  }

  /** The configured ICE servers, without per-session TURN credentials. */
  public List<IceServer> iceServers() {
    return iceServers;
  }

  /**
   * The ICE servers one session uses and hands to its viewer: the configured ones plus, with a
   * shared-secret TURN server, credentials minted for this session.
   */
  public List<IceServer> iceServersFor(String sessionId) {
    if (turn == null) {
      return iceServers;
    }
    List<IceServer> all = new ArrayList<>(iceServers);
    all.add(turn.mint(sessionId));
    return List.copyOf(all);
  }

  /** Rewrites what sessions announce so that viewers reach the gateway through its NAT. */
  public PublicAddress publicAddress() {
    return publicAddress;
  }

  /**
   * Makes the shared WebRTC track of {@code stream} and feeds it the stream's frames; the engine
   * owns it and disposes it on close.
   */
  public synchronized StreamTrack attach(LiveStream stream) {
    ensureOpen();
    if (tracks.containsKey(stream.name())) {
      throw new IllegalStateException("stream '" + stream.name() + "' already has a track");
    }
    StreamTrack track = new StreamTrack(stream.name(), factory);
    tracks.put(stream.name(), track);
    stream.addSink(track);
    return track;
  }

  /**
   * A track of its own that the caller feeds (e.g. a publication's copy of a stream at a lower
   * frame rate) and closes once no peer connection sends it; the engine disposes it at the latest
   * when it closes.
   */
  public synchronized StreamTrack createTrack(String name) {
    ensureOpen();
    StreamTrack track = new StreamTrack(name, factory);
    ownTracks.add(track);
    return track;
  }

  /** The shared track of a stream made by {@link #attach}. */
  public StreamTrack track(String stream) {
    StreamTrack track = tracks.get(stream);
    if (track == null) {
      throw new IllegalStateException("stream '" + stream + "' has no track");
    }
    return track;
  }

  public RTCPeerConnection createPeerConnection(PeerConnectionObserver observer) {
    return createPeerConnection(observer, iceServers);
  }

  /** A peer connection for one session, with that session's TURN credentials. */
  public RTCPeerConnection createPeerConnection(PeerConnectionObserver observer, String sessionId) {
    return createPeerConnection(observer, iceServersFor(sessionId));
  }

  /** A peer connection that uses {@code servers}, e.g. those a WHIP endpoint named for a publication. */
  public synchronized RTCPeerConnection createPeerConnection(
      PeerConnectionObserver observer, List<IceServer> servers) {
    ensureOpen();
    RTCConfiguration config = new RTCConfiguration();
    config.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE;
    config.rtcpMuxPolicy = RTCRtcpMuxPolicy.REQUIRE;
    config.iceServers = toNative(servers);
    if (network.hasPortRange()) {
      // Every socket of the session (host, and the local end of relay allocations) binds in this range.
      config.portAllocatorConfig = new PortAllocatorConfig(network.udpPortMin(), network.udpPortMax(), 0);
    }
    RTCPeerConnection pc = factory.createPeerConnection(config, observer);
    if (pc == null) {
      throw new IllegalStateException("libwebrtc refused to create a peer connection");
    }
    return pc;
  }

  /** {@code servers} as libwebrtc takes them, e.g. for {@code RTCPeerConnection.setConfiguration}. */
  public static List<RTCIceServer> toNative(List<IceServer> servers) {
    List<RTCIceServer> out = new ArrayList<>();
    for (IceServer server : servers) {
      RTCIceServer ice = new RTCIceServer();
      ice.urls = new ArrayList<>(server.urls());
      ice.username = server.username();
      ice.password = server.credential();
      out.add(ice);
    }
    return out;
  }

  /** The video codecs libwebrtc can send, for a transceiver's codec preferences. */
  public synchronized List<RTCRtpCodecCapability> videoSendCodecs() {
    ensureOpen();
    return factory.getRtpSenderCapabilities(MediaType.VIDEO).getCodecs();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the WebRTC engine is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<StreamTrack> all = new ArrayList<>(tracks.values());
    all.addAll(ownTracks);
    for (StreamTrack track : all) {
      try {
        track.close();
      } catch (RuntimeException | Error e) {
        log.warn("disposing a stream track failed: {}", e.toString());
      }
    }
    tracks.clear();
    ownTracks.clear();
    try {
      factory.dispose();
    } catch (RuntimeException | Error e) {
      // The factory only refuses when a peer connection or track still holds it: a leak to fix.
      log.error("peer connection factory still referenced at shutdown: {}", e.getMessage());
    }
    try {
      audioModule.dispose();
    } catch (RuntimeException | Error e) {
      log.warn("audio module dispose failed: {}", e.getMessage());
    }
  }
}
