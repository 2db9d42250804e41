package io.webrtcgw.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.publish.Failure;
import io.webrtcgw.publish.Publication;
import io.webrtcgw.publish.Publications;
import io.webrtcgw.rtc.RtcEngine;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.rtc.SessionStats;
import io.webrtcgw.rtc.StreamTrack;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingMeter;
import io.webrtcgw.source.SourceMeter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics. Counts what passes through (sessions, signaling errors, ICE
 * restarts), reads the streams' frame counters at scrape time, and samples each session's bytes
 * sent from its peer connection's statistics at a fixed interval.
 */
public final class GatewayMetrics implements SessionRegistry.Listener, SignalingMeter, AutoCloseable {
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Long> bytesSeen = new ConcurrentHashMap<>();
  private final Counter iceRestarts;
  private ScheduledFuture<?> poller;

  public GatewayMetrics(StreamRegistry streams, RtcEngine engine) {
    for (LiveStream stream : streams.all()) {
      String name = stream.name();
      StreamTrack track = engine.track(name);
      Gauge.builder("gateway.viewers", stream, LiveStream::viewers)
          .description("Viewers watching the stream now").tag("stream", name).register(registry);
      FunctionCounter.builder("gateway.frames.in", stream, LiveStream::framesIn)
          .description("Frames the stream's source produced").tag("stream", name).register(registry);
      FunctionCounter.builder("gateway.frames.pushed", track, StreamTrack::framesPushed)
          .description("Frames handed to the stream's shared WebRTC track").tag("stream", name).register(registry);
      FunctionCounter.builder("gateway.frames.dropped", stream, s -> Math.max(0, s.framesIn() - track.framesPushed()))
          .description("Frames the source produced that never reached the track").tag("stream", name)
          .register(registry);
      sourceMeters(name, stream.source().meter());
      // Registered up front so that every stream shows 0 rather than nothing before its first viewer.
      sessionsStarted(name);
      sentBytes(name);
    }
    iceRestarts = Counter.builder("gateway.ice.restarts")
        .description("Offers answered after a session's first, which viewers send to restart ICE")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** What each source counts about itself: bytes in, decode time, drops, losses, reconnects, delay. */
  private void sourceMeters(String stream, SourceMeter meter) {
    FunctionCounter.builder("gateway.source.bytes.in", meter, SourceMeter::bytesIn)
        .description("Bytes the source received from its camera or read from disk").tag("stream", stream)
        .register(registry);
    FunctionTimer.builder("gateway.source.decode", meter, SourceMeter::decodes, SourceMeter::decodeNanos,
            TimeUnit.NANOSECONDS)
        .description("Time the source spent decoding pictures").tag("stream", stream).register(registry);
    FunctionCounter.builder("gateway.source.frames.dropped", meter, SourceMeter::framesDropped)
        .description("Frames the source gave up to stay live (decoding behind, loss until the next key frame)")
        .tag("stream", stream).register(registry);
    FunctionCounter.builder("gateway.source.packets.lost", meter, SourceMeter::packetsLost)
        .description("RTP packets from the camera that never arrived").tag("stream", stream).register(registry);
    FunctionCounter.builder("gateway.source.reconnects", meter, SourceMeter::reconnects)
        .description("Times the source connected again after losing its camera or server").tag("stream", stream)
        .register(registry);
    for (double quantile : new double[] {0.5, 0.95}) {
      Gauge.builder("gateway.source.latency", meter, m -> Math.max(0, m.latencyMillis(quantile)) / 1000)
          .description("Delay from a picture's arrival to its hand-off to WebRTC, over the last frames")
          .baseUnit("seconds").tags("stream", stream, "quantile", Double.toString(quantile)).register(registry);
    }
  }

  /** Starts sampling the sessions' bytes sent every {@code interval}. */
  public synchronized void watch(SessionRegistry sessions, ScheduledExecutorService timers, Duration interval) {
    Gauge.builder("gateway.sessions.active", sessions, SessionRegistry::count)
        .description("Sessions (peer connections) open now").register(registry);
    poller = timers.scheduleWithFixedDelay(() -> sample(sessions::all),
        interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Each publication's state, traffic, attempts and failures, read at scrape time; labelled by
   * stream and target name (never the target's URL, which may hold a stream key).
   */
  public void watch(Publications publications) {
    for (Publication publication : publications.all()) {
      Tags tags = Tags.of("stream", publication.streamName(), "target", publication.target().name());
      for (Publication.State state : Publication.State.values()) {
        Gauge.builder("gateway.publication.state", publication, p -> p.state() == state ? 1 : 0)
            .description("1 for the state the publication is in").tags(tags).tag("state", state.label())
            .register(registry);
      }
      FunctionCounter.builder("gateway.publication.sent.bytes", publication, Publication::bytesSent)
          .description("Bytes of RTP sent to the WHIP endpoint, sampled from the connection's statistics")
          .tags(tags).register(registry);
      FunctionCounter.builder("gateway.publication.attempts", publication, Publication::attempts)
          .description("Offers POSTed to the WHIP endpoint").tags(tags).register(registry);
      FunctionCounter.builder("gateway.publication.reconnects", publication, Publication::reconnects)
          .description("Times the stream was published again after its endpoint went away or refused")
          .tags(tags).register(registry);
      FunctionCounter.builder("gateway.publication.ice.restarts", publication, Publication::iceRestarts)
          .description("ICE restarts by PATCH after the connection to the endpoint dropped").tags(tags)
          .register(registry);
      for (Failure failure : Failure.values()) {
        FunctionCounter.builder("gateway.publication.failures", publication, p -> p.failures(failure))
            .description("Failed publication attempts, by what failed").tags(tags).tag("reason", failure.label())
            .register(registry);
      }
    }
  }

  /** The metrics in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void started(Session session) {
    sessionsStarted(session.streamName()).increment();
  }

  @Override
  public void ended(Session session, EndReason reason) {
    bytesSeen.remove(session.id());
    Counter.builder("gateway.sessions.ended")
        .description("Sessions that ended, by reason")
        .tags("stream", session.streamName(), "reason", reason.label())
        .register(registry).increment();
  }

  @Override
  public void error(ErrorCode code) {
    Counter.builder("gateway.signaling.errors").description("Signaling error messages sent, by code")
        .tag("code", code.wire()).register(registry).increment();
  }

  @Override
  public void answer(boolean first) {
    if (!first) {
      iceRestarts.increment();
    }
  }

  @Override
  public void closed(int code) {
    Counter.builder("gateway.signaling.closes").description("Signaling connections the gateway closed, by code")
        .tag("code", Integer.toString(code)).register(registry).increment();
  }

  /** Adds each session's bytes sent since the last sample; sessions are sampled concurrently. */
  void sample(Supplier<List<Session>> sessions) {
    for (Session session : sessions.get()) {
      session.stats()
          .orTimeout(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .thenAccept(report -> {
            long total = SessionStats.of(report).bytesSent();
            if (report == null || session.ended().isDone()) {
              return;
            }
            Long before = bytesSeen.put(session.id(), total);
            long delta = total - (before == null ? 0 : before);
            if (delta > 0) {
              sentBytes(session.streamName()).increment(delta);
            }
          });
    }
  }

  private Counter sessionsStarted(String stream) {
    return Counter.builder("gateway.sessions.started").description("Sessions started")
        .tag("stream", stream).register(registry);
  }

  private Counter sentBytes(String stream) {
    return Counter.builder("gateway.sent.bytes")
        .description("Bytes of RTP sent to viewers, sampled from the peer connections' statistics")
        .tag("stream", stream).register(registry);
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.cancel(false);
    }
    registry.close();
  }
}
