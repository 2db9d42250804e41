package io.webrtcgw.publish;

import io.webrtcgw.config.PublishConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.rtc.RtcEngine;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every publication of the gateway, made from the streams' {@code publish} settings at start-up,
 * and the one HTTP client they share. Stopped together at shutdown, each deleting its resource.
 */
public final class Publications implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Publications.class);

  private final List<Publication> all;
  private final ExecutorService httpThreads;
  private final Duration stopPatience;
  private boolean closed;

  private Publications(List<Publication> all, ExecutorService httpThreads, Duration stopPatience) {
    this.all = List.copyOf(all);
    this.httpThreads = httpThreads;
    this.stopPatience = stopPatience;
  }

  /** Publications for every {@code publish} target of {@code configs}, not yet started. */
  public static Publications create(List<StreamConfig> configs, StreamRegistry streams, RtcEngine engine, Clock clock) {
    return create(configs, streams, engine, clock, Publication.Timings.DEFAULT);
  }

  public static Publications create(List<StreamConfig> configs, StreamRegistry streams, RtcEngine engine, Clock clock,
      Publication.Timings timings) {
    ExecutorService httpThreads = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "whip-http");
      thread.setDaemon(true);
      return thread;
    });
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timings.request())
        // RFC 9725 section 4.5: an endpoint may redirect the POST (307) to the server that takes it.
        .followRedirects(HttpClient.Redirect.NORMAL)
        .executor(httpThreads)
        .build();
    SecureRandom ids = new SecureRandom();
    List<Publication> made = new ArrayList<>();
    for (StreamConfig config : configs) {
      LiveStream stream = streams.find(config.name()).orElseThrow(
          () -> new IllegalStateException("stream '" + config.name() + "' is not registered"));
      for (PublishConfig target : config.publish()) {
        byte[] id = new byte[4];
        ids.nextBytes(id);
        made.add(new Publication("pub-" + HexFormat.of().formatHex(id), target, stream, engine,
            new WhipClient(http, target, timings.request(), clock), timings, clock,
            () -> ThreadLocalRandom.current().nextDouble()));
      }
    }
    // Stopping waits for each DELETE at most its deadline, then a moment for the threads.
    return new Publications(made, httpThreads, Publication.STOP_DELETE_DEADLINE.plusSeconds(1));
  }

  /** Starts every publication's first attempt. */
  public void start() {
    all.forEach(Publication::start);
  }

  public List<Publication> all() {
    return all;
  }

  /** Stops every publication at once (each deletes its resource) and waits for them, boundedly. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<?>[] stopping = all.stream().map(Publication::stop).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(stopping).get(stopPatience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("{} publications did not stop within {} ms", all.stream().filter(p -> !p.stopped().isDone()).count(),
          stopPatience.toMillis());
    }
    httpThreads.shutdownNow();
  }
}
