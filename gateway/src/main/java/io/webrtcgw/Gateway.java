package io.webrtcgw;

import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.http.GatewayServer;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.media.ViewerSlots;
import io.webrtcgw.metrics.GatewayMetrics;
import io.webrtcgw.publish.Publication;
import io.webrtcgw.publish.Publications;
import io.webrtcgw.rtc.NativeHeapTrim;
import io.webrtcgw.rtc.RtcEngine;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceFactory;
import io.webrtcgw.source.SourceOpener;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.camera.NativeCameraDevices;
import io.webrtcgw.source.h264.DecoderSandbox;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: the object graph from config to HTTP server, and its shutdown in reverse
 * order. Sessions and publications end before the streams whose track they send, and all before
 * the engine.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** How often each session's bytes sent are sampled for the metrics. */
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(5);

  private final RtcEngine engine;
  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ScheduledExecutorService timers;
  private final GatewayServer server;
  private final GatewayMetrics metrics;
  private final Publications publications;
  private final List<AutoCloseable> owned;
  private boolean closed;

  private Gateway(RtcEngine engine, StreamRegistry streams, SessionRegistry sessions, ScheduledExecutorService timers,
      GatewayServer server, GatewayMetrics metrics, Publications publications, List<AutoCloseable> owned) {
    this.engine = engine;
    this.streams = streams;
    this.sessions = sessions;
    this.timers = timers;
    this.server = server;
    this.metrics = metrics;
    this.publications = publications;
    this.owned = owned;
  }

  /**
   * Opens every source (so that an unplayable file is reported before serving), then starts
   * serving.
   *
   * @throws SourceException naming the stream and the reason when a source cannot be opened
   */
  public static Gateway start(GatewayConfig config, Clock clock) throws SourceException {
    DecoderSandbox decoders = DecoderSandbox.create();
    try {
      Gateway gateway = start(config, clock, new SourceFactory(clock, new NativeCameraDevices(), decoders), decoders);
      if (gateway.streams.all().stream().anyMatch(stream -> stream.source().decodesH264())) {
        decoders.prepareSpare();
      }
      return gateway;
    } catch (SourceException | RuntimeException e) {
      decoders.close();
      throw e;
    }
  }

  /**
   * As {@link #start(GatewayConfig, Clock)}, with the sources {@code sourceFactory} opens; the
   * gateway closes {@code owned} (what those sources use, such as their decoders) last.
   */
  public static Gateway start(GatewayConfig config, Clock clock, SourceOpener sourceFactory, AutoCloseable... owned)
      throws SourceException {
    return start(config, clock, sourceFactory, Publication.Timings.DEFAULT, owned);
  }

  /** As above, with the publications' step deadlines and retry waits of {@code publishTimings}. */
  public static Gateway start(GatewayConfig config, Clock clock, SourceOpener sourceFactory,
      Publication.Timings publishTimings, AutoCloseable... owned) throws SourceException {
    List<VideoSource> sources = new ArrayList<>();
    try {
      for (StreamConfig stream : config.streams()) {
        sources.add(sourceFactory.open(stream));
      }
    } catch (SourceException e) {
      sources.forEach(VideoSource::close);
      throw e;
    }
    RtcEngine engine = new RtcEngine(config.iceServers(), config.turn(), config.network(), clock);
    ViewerSlots gatewaySlots = new ViewerSlots(config.limits().maxViewers());
    List<LiveStream> live = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      LiveStream stream = new LiveStream(config.streams().get(i), sources.get(i), gatewaySlots);
      engine.attach(stream);
      live.add(stream);
    }
    StreamRegistry streams = new StreamRegistry(live);
    GatewayMetrics metrics = new GatewayMetrics(streams, engine);
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "signaling-timers");
      thread.setDaemon(true);
      return thread;
    });
    SessionRegistry sessions = new SessionRegistry(engine, config.limits().disconnectGrace(),
        config.limits().maxTilesPerSession(), clock,
        SessionRegistry.Listener.all(metrics, new NativeHeapTrim(timers)));
    metrics.watch(sessions, timers, STATS_INTERVAL);
    Publications publications = Publications.create(config.streams(), streams, engine, clock, publishTimings);
    metrics.watch(publications);
    GatewayServer server;
    try {
      server = new GatewayServer(config, streams, sessions, timers, metrics, publications);
      server.start();
    } catch (RuntimeException e) {
      // A bad TLS key or a port in use: free what was built before reporting it.
      timers.shutdownNow();
      publications.close();
      metrics.close();
      streams.close();
      engine.close();
      throw e;
    }
    publications.start();
    return new Gateway(engine, streams, sessions, timers, server, metrics, publications, List.of(owned));
  }

  public int port() {
    return server.port();
  }

  public StreamRegistry streams() {
    return streams;
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public Publications publications() {
    return publications;
  }

  /**
   * Graceful stop: no new viewers, sessions told and closed, publications' resources deleted, then
   * streams, then the engine.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long begin = System.nanoTime();
    server.close();
    publications.close();
    timers.shutdownNow();
    metrics.close();
    streams.close();
    engine.close();
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
      }
    }
    log.info("gateway stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }
}
