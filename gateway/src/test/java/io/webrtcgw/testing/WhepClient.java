package io.webrtcgw.testing;

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
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real webrtc-java WHEP player for tests: POSTs a recvonly offer, applies the answer, trickles
 * its candidates with PATCH, restarts ICE, DELETEs, and reads the pattern stamp off each frame.
 */
public final class WhepClient implements AutoCloseable {
  public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private final URI endpoint;
  private final CustomVideoSource dummySource = new CustomVideoSource();
  private final VideoTrack dummyTrack;
  private final RTCPeerConnection pc;
  private final VideoTrackSink sink = this::onFrame;
  private final List<ReceivedFrame> frames = new ArrayList<>();
  private final AtomicInteger frameCount = new AtomicInteger();
  private final List<RTCIceConnectionState> iceStates = new CopyOnWriteArrayList<>();
  /** Statuses of the trickle PATCHes sent so far. */
  private final List<Integer> trickleStatuses = new CopyOnWriteArrayList<>();
  private final List<RTCIceCandidate> pendingLocal = new ArrayList<>();
  private volatile VideoTrack remoteTrack;
  // Guarded by pendingLocal: candidates wait until there is a resource and no restart under way.
  private URI resource;
  private String etag;
  private String mid = "0";
  private String localCredentials;
  private boolean restarting;

  private WhepClient(PeerConnectionFactory factory, URI endpoint) {
    this.endpoint = endpoint;
    this.dummyTrack = factory.createVideoTrack("dummy", dummySource);
    this.pc = factory.createPeerConnection(new RTCConfiguration(), new Observer());
  }

  public static URI endpoint(int port, String stream) {
    return URI.create("http://127.0.0.1:" + port + "/whep/" + stream);
  }

  public static WhepClient create(PeerConnectionFactory factory, int port, String stream) {
    return new WhepClient(factory, endpoint(port, stream));
  }

  /** A small recvonly video offer that libwebrtc accepts, for requests whose answer nobody applies. */
  public static String recvonlyOffer() {
    return String.join("\r\n",
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
        "a=group:BUNDLE 0", "a=msid-semantic: WMS",
        "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:Ab3d", "a=ice-pwd:0123456789abcdefghijklmn", "a=ice-options:trickle",
        "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
        "a=setup:actpass", "a=mid:0", "a=recvonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "");
  }

  /** Sends a recvonly video offer and, on 201, applies the answer; returns the POST's response. */
  public HttpResponse<String> watch() throws Exception {
    RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
    init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
    pc.addTransceiver(dummyTrack, init);
    RTCSessionDescription offer = createOffer(new RTCOfferOptions());
    await(done -> pc.setLocalDescription(offer, observer(done)));
    HttpResponse<String> response = send(HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/sdp")
        .POST(HttpRequest.BodyPublishers.ofString(offer.sdp)));
    if (response.statusCode() != 201) {
      return response;
    }
    String answer = response.body();
    await(done -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer), observer(done)));
    synchronized (pendingLocal) {
      resource = endpoint.resolve(response.headers().firstValue("Location").orElseThrow());
      etag = response.headers().firstValue("ETag").orElseThrow();
      mid = find(offer.sdp, "a=mid:(\\S+)");
      localCredentials = credentials(offer.sdp);
      trickle();
    }
    return response;
  }

  /**
   * Restarts ICE the WHEP way: a PATCH with the new credentials and {@code If-Match: *}, then the
   * gateway's fragment applied as the new remote description. Returns the PATCH's response.
   */
  public HttpResponse<String> restartIce() throws Exception {
    synchronized (pendingLocal) {
      restarting = true;
    }
    pc.restartIce();
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = true;
    RTCSessionDescription offer = createOffer(options);
    await(done -> pc.setLocalDescription(offer, observer(done)));
    synchronized (pendingLocal) {
      localCredentials = credentials(offer.sdp);
    }
    String fragment = credentials(offer.sdp)
        + "m=video 9 UDP/TLS/RTP/SAVPF 0\r\n"
        + "a=mid:" + mid + "\r\n";
    HttpResponse<String> response = patch(fragment, "*");
    if (response.statusCode() == 200) {
      String answer = pc.getRemoteDescription().sdp
          .replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:" + find(response.body(), "a=ice-ufrag:(\\S+)"))
          .replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:" + find(response.body(), "a=ice-pwd:(\\S+)"))
          .replaceAll("a=candidate:[^\r\n]*\r\n", "")
          .replaceAll("a=end-of-candidates\r\n", "");
      StringBuilder candidates = new StringBuilder();
      Matcher lines = Pattern.compile("a=candidate:[^\r\n]*\r\n").matcher(response.body());
      while (lines.find()) {
        candidates.append(lines.group());
      }
      answer = answer.replaceFirst("(a=mid:" + Pattern.quote(mid) + "\r\n)",
          "$1" + Matcher.quoteReplacement(candidates.toString()));
      String newAnswer = answer;
      await(done -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, newAnswer), observer(done)));
      synchronized (pendingLocal) {
        etag = response.headers().firstValue("ETag").orElseThrow();
      }
    }
    synchronized (pendingLocal) {
      restarting = false;
      trickle();
    }
    return response;
  }

  /** A PATCH with this body, {@code If-Match} if not null. */
  public HttpResponse<String> patch(String fragment, String ifMatch) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(resource())
        .header("Content-Type", "application/trickle-ice-sdpfrag")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return send(request);
  }

  public HttpResponse<String> delete() throws Exception {
    return send(HttpRequest.newBuilder(resource()).DELETE());
  }

  public URI resource() {
    synchronized (pendingLocal) {
      return resource;
    }
  }

  public String etag() {
    synchronized (pendingLocal) {
      return etag;
    }
  }

  public List<Integer> trickleStatuses() {
    return List.copyOf(trickleStatuses);
  }

  public List<RTCIceConnectionState> iceStates() {
    return List.copyOf(iceStates);
  }

  public RTCIceConnectionState iceState() {
    return pc.getIceConnectionState();
  }

  public void awaitConnected(Duration timeout) {
    Await.until(() -> "ICE connected, states so far " + iceStates, () -> {
      RTCIceConnectionState state = pc.getIceConnectionState();
      return state == RTCIceConnectionState.CONNECTED || state == RTCIceConnectionState.COMPLETED;
    }, timeout);
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

  /** The port of the gateway candidate that ICE currently sends to. */
  public int selectedRemotePort() throws Exception {
    CompletableFuture<RTCStatsReport> delivered = new CompletableFuture<>();
    pc.getStats(delivered::complete);
    var stats = delivered.get(10, TimeUnit.SECONDS).getStats();
    for (RTCStats transport : stats.values()) {
      if (transport.getType() != RTCStatsType.TRANSPORT) {
        continue;
      }
      RTCStats pair = stats.get(String.valueOf(transport.getAttributes().get("selectedCandidatePairId")));
      if (pair != null) {
        RTCStats remote = stats.get(String.valueOf(pair.getAttributes().get("remoteCandidateId")));
        if (remote != null) {
          return ((Number) remote.getAttributes().get("port")).intValue();
        }
      }
    }
    throw new AssertionError("no selected candidate pair in the stats");
  }

  /** Candidate ports written in an SDP answer or fragment. */
  public static List<Integer> candidatePorts(String sdp) {
    List<Integer> ports = new ArrayList<>();
    Matcher matcher = Pattern.compile("a=candidate:\\S+ \\d+ \\S+ \\d+ \\S+ (\\d+) typ").matcher(sdp);
    while (matcher.find()) {
      ports.add(Integer.parseInt(matcher.group(1)));
    }
    return ports;
  }

  /** Closes the peer connection without telling the gateway, as a vanished player would. */
  @Override
  public void close() {
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

  /** Sends buffered local candidates in one PATCH; call holding pendingLocal. */
  private void trickle() {
    if (resource == null || restarting || pendingLocal.isEmpty()) {
      return;
    }
    StringBuilder fragment = new StringBuilder(localCredentials)
        .append("m=video 9 UDP/TLS/RTP/SAVPF 0\r\n")
        .append("a=mid:").append(mid).append("\r\n");
    pendingLocal.forEach(candidate -> fragment.append("a=").append(candidate.sdp).append("\r\n"));
    pendingLocal.clear();
    HTTP.sendAsync(HttpRequest.newBuilder(resource)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/trickle-ice-sdpfrag")
            .header("If-Match", etag)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment.toString()))
            .build(), HttpResponse.BodyHandlers.discarding())
        .thenAccept(response -> trickleStatuses.add(response.statusCode()));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private RTCSessionDescription createOffer(RTCOfferOptions options) throws Exception {
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
    return offer.get(10, TimeUnit.SECONDS);
  }

  private interface NativeCall {
    void start(CompletableFuture<Void> done);
  }

  private static void await(NativeCall call) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    call.start(done);
    done.get(10, TimeUnit.SECONDS);
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

  private static String credentials(String sdp) {
    return "a=ice-ufrag:" + find(sdp, "a=ice-ufrag:(\\S+)") + "\r\n" + "a=ice-pwd:" + find(sdp, "a=ice-pwd:(\\S+)") + "\r\n";
  }

  private static String find(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no match for " + regex + " in:\n" + text);
    }
    return matcher.group(1);
  }

  private void onFrame(VideoFrame frame) {
    try {
      I420Buffer buffer = frame.buffer.toI420();
      ReceivedFrame received;
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
      synchronized (frames) {
        if (frames.size() < 100_000) {
          frames.add(received);
        }
        frameCount.incrementAndGet();
        frames.notifyAll();
      }
    } finally {
      frame.release();
    }
  }

  private final class Observer implements PeerConnectionObserver {
    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      synchronized (pendingLocal) {
        pendingLocal.add(candidate);
        trickle();
      }
    }

    @Override
    public void onIceConnectionChange(RTCIceConnectionState state) {
      iceStates.add(state);
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
}
