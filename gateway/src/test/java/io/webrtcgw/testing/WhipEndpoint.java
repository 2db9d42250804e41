package io.webrtcgw.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCIceTransportPolicy;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.rtc.NativeRelease;
import io.webrtcgw.rtc.RtcFutures;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.whep.WhepSdp;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WHIP endpoint for tests (RFC 9725), with a real webrtc-java peer connection behind each
 * resource that receives the video and reads the pattern stamp off every frame. It records every
 * request, and can be told to answer with errors, to name ICE servers in {@code Link} headers, to
 * stop answering, or to lose its media as a crashed SFU would.
 */
public final class WhipEndpoint implements AutoCloseable {
  /** One request as it arrived. */
  public record Request(String method, String path, Map<String, List<String>> headers, String body,
      long receivedMillis) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
        if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
          return entry.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** A canned answer for the next requests of one method. */
  private record Fault(String method, int status, String retryAfter, String body) {}

  private final PeerConnectionFactory factory;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "whip-endpoint");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final Map<String, Resource> resources = new LinkedHashMap<>();
  private final List<ReceivedFrame> frames = new ArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private volatile List<String> links = List.of();
  private volatile boolean linksOnOptions = true;
  private volatile List<RTCIceServer> ownIceServers = List.of();
  private volatile boolean relayOnly;
  private volatile boolean restartCandidates = true;
  private volatile String token;

  private WhipEndpoint(PeerConnectionFactory factory, int port) throws IOException {
    this.factory = factory;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  public static WhipEndpoint start(PeerConnectionFactory factory) throws IOException {
    return new WhipEndpoint(factory, 0);
  }

  /** An endpoint on {@code port}, e.g. one that comes back where an earlier one was closed. */
  public static WhipEndpoint start(PeerConnectionFactory factory, int port) throws IOException {
    return new WhipEndpoint(factory, port);
  }

  /** {@code http://127.0.0.1:PORT/whip/endpoint/{name}}. */
  public URI url(String name) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/whip/endpoint/" + name);
  }

  /** Requests need {@code Authorization: Bearer token}; others get 401. */
  public void requireToken(String value) {
    token = value;
  }

  /** The next {@code count} requests of {@code method} get {@code status} (with Retry-After when not null). */
  public synchronized void failNext(String method, int status, int count, String retryAfter) {
    for (int i = 0; i < count; i++) {
      faults.add(new Fault(method, status, retryAfter, "refused by the test: " + status));
    }
  }

  /** {@code Link} values sent with the 201 (and, when {@code onOptions}, with OPTIONS; else OPTIONS gets 405). */
  public void links(List<String> values, boolean onOptions) {
    links = List.copyOf(values);
    linksOnOptions = onOptions;
  }

  /** The endpoint's own peer connections use these servers, and only relayed candidates when {@code relay}. */
  public void iceServers(List<RTCIceServer> servers, boolean relay) {
    ownIceServers = List.copyOf(servers);
    relayOnly = relay;
  }

  /** Whether an ICE restart's answer carries the endpoint's candidates (simple-whip-server's does not). */
  public void restartCandidates(boolean value) {
    restartCandidates = value;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String method) {
    return requests.stream().filter(request -> request.method().equals(method)).toList();
  }

  /** Resources now open (POSTed and not deleted). */
  public synchronized int resources() {
    return resources.size();
  }

  /**
   * Closes every resource's peer connection without a word and forgets the resources, as an SFU
   * that crashed and came back: PATCH and DELETE for them get 404.
   */
  public void loseMedia() {
    List<Resource> lost;
    synchronized (this) {
      lost = List.copyOf(resources.values());
      resources.clear();
    }
    lost.forEach(Resource::close);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public int frameCount() {
    synchronized (frames) {
      return frames.size();
    }
  }

  public List<ReceivedFrame> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  /** Waits until at least {@code count} frames have arrived in all. */
  public void awaitFrames(int count, Duration timeout) {
    Await.until(() -> "the endpoint to receive " + count + " frames (has " + frameCount() + ")",
        () -> frameCount() >= count, timeout);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          Map.copyOf(exchange.getRequestHeaders()), body, System.currentTimeMillis());
      requests.add(request);
      if (token != null && !("Bearer " + token).equals(request.header("Authorization"))) {
        send(exchange, 401, "text/plain", "a bearer token is needed");
        return;
      }
      Fault fault = takeFault(request.method());
      if (fault != null) {
        if (fault.retryAfter() != null) {
          exchange.getResponseHeaders().add("Retry-After", fault.retryAfter());
        }
        send(exchange, fault.status(), "text/plain", fault.body());
        return;
      }
      String path = request.path();
      if (path.startsWith("/whip/endpoint/")) {
        switch (request.method()) {
          case "OPTIONS" -> options(exchange);
          case "POST" -> post(exchange, body);
          default -> send(exchange, 405, "text/plain", "not here");
        }
      } else if (path.startsWith("/whip/resource/")) {
        Resource resource;
        synchronized (this) {
          resource = resources.get(path);
        }
        if (resource == null) {
          send(exchange, 404, "text/plain", "no such resource");
          return;
        }
        switch (request.method()) {
          case "PATCH" -> resource.patch(exchange, body);
          case "DELETE" -> {
            synchronized (this) {
              resources.remove(path);
            }
            resource.close();
            send(exchange, 200, "text/plain", "");
          }
          default -> send(exchange, 405, "text/plain", "not here");
        }
      } else {
        send(exchange, 404, "text/plain", "no such path");
      }
    } catch (Exception e) {
      try {
        send(exchange, 500, "text/plain", "the test endpoint failed: " + e);
      } catch (IOException ignored) {
        // the client went away
      }
    }
  }

  private synchronized Fault takeFault(String method) {
    for (Fault fault : faults) {
      if (fault.method().equals(method)) {
        faults.remove(fault);
        return fault;
      }
    }
    return null;
  }

  private void options(HttpExchange exchange) throws IOException {
    if (!linksOnOptions) {
      send(exchange, 405, "text/plain", "no OPTIONS here");
      return;
    }
    links.forEach(link -> exchange.getResponseHeaders().add("Link", link));
    exchange.sendResponseHeaders(204, -1);
  }

  private void post(HttpExchange exchange, String offer) throws Exception {
    if (!"application/sdp".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
      send(exchange, 415, "text/plain", "POST application/sdp");
      return;
    }
    String path = "/whip/resource/" + counter.incrementAndGet();
    Resource resource = new Resource(offer);
    String answer;
    try {
      answer = resource.answer(offer);
    } catch (Exception e) {
      resource.close();
      send(exchange, 400, "text/plain", "the offer was refused: " + e.getMessage());
      return;
    }
    synchronized (this) {
      resources.put(path, resource);
    }
    exchange.getResponseHeaders().add("Location", path);
    exchange.getResponseHeaders().add("ETag", "\"" + resource.etag + "\"");
    exchange.getResponseHeaders().add("Accept-Patch", "application/trickle-ice-sdpfrag");
    links.forEach(link -> exchange.getResponseHeaders().add("Link", link));
    send(exchange, 201, "application/sdp", answer);
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  private void onFrame(VideoFrame frame) {
    try {
      ReceivedFrame received = LoopbackViewer.read(frame);
      synchronized (frames) {
        if (frames.size() < 100_000) {
          frames.add(received);
        }
      }
    } finally {
      frame.release();
    }
  }

  /** One publisher: the endpoint's peer connection for one POSTed offer. */
  private final class Resource implements PeerConnectionObserver {
    private final RTCPeerConnection pc;
    private final List<Candidate> candidates = new CopyOnWriteArrayList<>();
    private final VideoTrackSink sink = WhipEndpoint.this::onFrame;
    private volatile VideoTrack remoteTrack;
    private String offer;
    private volatile CompletableFuture<Void> gathered = new CompletableFuture<>();
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private String etag = "e" + counter.get();
    private boolean closed;

    Resource(String offer) {
      this.offer = offer;
      RTCConfiguration configuration = new RTCConfiguration();
      configuration.iceServers = new ArrayList<>(ownIceServers);
      if (relayOnly) {
        configuration.iceTransportPolicy = RTCIceTransportPolicy.RELAY;
      }
      this.pc = factory.createPeerConnection(configuration, this);
    }

    /** Applies an offer and returns the answer with every candidate gathered (2 s at most). */
    synchronized String answer(String sdp) throws Exception {
      candidates.clear();
      gathered = new CompletableFuture<>();
      Duration timeout = Duration.ofSeconds(10);
      RtcFutures.setRemote(pc, new RTCSessionDescription(RTCSdpType.OFFER, sdp), timeout);
      RTCSessionDescription answer = RtcFutures.createAnswer(pc, timeout);
      RtcFutures.setLocal(pc, answer, timeout);
      try {
        gathered.get(2, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // answer with what there is
      }
      return WhepSdp.withCandidates(answer.sdp, List.copyOf(candidates), gathered.isDone());
    }

    synchronized void patch(HttpExchange exchange, String body) throws Exception {
      if (!"application/trickle-ice-sdpfrag".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
        send(exchange, 415, "text/plain", "PATCH application/trickle-ice-sdpfrag");
        return;
      }
      WhepSdp.Fragment fragment = WhepSdp.parseFragment(body, WhepSdp.firstMedia(offer).mid());
      WhepSdp.IceCredentials current = WhepSdp.credentials(offer);
      WhepSdp.IceCredentials asked = fragment.credentials();
      if (asked.ufrag() != null && !asked.ufrag().equals(current.ufrag())) {
        offer = WhepSdp.withCredentials(offer, asked);
        String answer = answer(offer);
        for (Candidate candidate : fragment.candidates()) {
          add(candidate);
        }
        etag = "e" + counter.incrementAndGet();
        exchange.getResponseHeaders().add("ETag", "\"" + etag + "\"");
        send(exchange, 200, "application/trickle-ice-sdpfrag", WhepSdp.fragment(WhepSdp.credentials(answer),
            WhepSdp.firstMedia(answer), restartCandidates ? List.copyOf(candidates) : List.of(),
            restartCandidates && gathered.isDone()));
        return;
      }
      for (Candidate candidate : fragment.candidates()) {
        add(candidate);
      }
      send(exchange, 204, "text/plain", "");
    }

    private void add(Candidate candidate) {
      pc.addIceCandidate(new RTCIceCandidate(candidate.sdpMid(), candidate.sdpMLineIndex(), candidate.candidate()));
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      VideoTrack track = remoteTrack;
      if (track != null) {
        track.removeSink(sink);
      }
      NativeRelease.closePeerConnection(pc);
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      candidates.add(new Candidate(candidate.sdp, candidate.sdpMid, candidate.sdpMLineIndex));
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState gathering) {
      if (gathering == RTCIceGatheringState.COMPLETE) {
        gathered.complete(null);
      }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState value) {
      state = value;
    }

    RTCPeerConnectionState state() {
      return state;
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

  /** Stops answering and closes every resource's peer connection. */
  @Override
  public void close() {
    server.stop(0);
    loseMedia();
    threads.shutdownNow();
  }
}
