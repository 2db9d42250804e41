package io.webrtcgw.rtc;

import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Finds when a new sender's first RTP packet left, as time from the viewer's offer: libwebrtc has
 * no event for it, so the sender's outbound-rtp stats are polled until {@code packetsSent > 0}, for
 * a bounded time. libwebrtc caches a stats report for 50 ms, which bounds the resolution; the
 * report's own collection time is used, not the time its callback ran.
 */
final class FirstPacketWatch {
  // Each getStats call costs native memory that webrtc-java 0.14.0 does not all give back, so the
  // first packet is looked for every 50 ms rather than more finely.
  static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  static final Duration GIVE_UP_AFTER = Duration.ofSeconds(20);

  private final RTCPeerConnection pc;
  private final RTCRtpSender sender;
  private final ScheduledExecutorService executor;
  private final Predicate<Runnable> post;
  private final BooleanSupplier live;
  private final Clock clock;
  private final long offerMillis;
  private final LongConsumer onFirstPacket;

  /**
   * @param post hands a task to the session thread, false if the session is gone
   * @param live whether the session still owns {@code pc}; checked on the session thread
   * @param onFirstPacket gets the milliseconds from offer to first packet, on the session thread
   */
  FirstPacketWatch(RTCPeerConnection pc, RTCRtpSender sender, ScheduledExecutorService executor,
      Predicate<Runnable> post, BooleanSupplier live, Clock clock, long offerMillis, LongConsumer onFirstPacket) {
    this.pc = pc;
    this.sender = sender;
    this.executor = executor;
    this.post = post;
    this.live = live;
    this.clock = clock;
    this.offerMillis = offerMillis;
    this.onFirstPacket = onFirstPacket;
  }

  /** Starts polling; call on the session thread. */
  void start() {
    poll();
  }

  private void poll() {
    if (!live.getAsBoolean()) {
      return;
    }
    try {
      pc.getStats(sender, report -> post.test(() -> check(report)));
    } catch (RuntimeException | Error e) {
      // A connection closing under us refuses stats; there is nothing left to watch.
    }
  }

  private void check(RTCStatsReport report) {
    if (!live.getAsBoolean()) {
      return;
    }
    long now = clock.millis();
    if (packetsSent(report) > 0) {
      long collected = TimeUnit.MICROSECONDS.toMillis(report.getTimestamp());
      // The collection time is Unix time in the libwebrtc of webrtc-java 0.14; anything else is
      // ignored rather than trusted.
      long sentBy = Math.abs(now - collected) < 1000 ? collected : now;
      onFirstPacket.accept(Math.max(0, sentBy - offerMillis));
      return;
    }
    if (now - offerMillis < GIVE_UP_AFTER.toMillis()) {
      try {
        executor.schedule(this::poll, POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the session ended meanwhile
      }
    }
  }

  static long packetsSent(RTCStatsReport report) {
    long sent = 0;
    for (RTCStats stats : report.getStats().values()) {
      if (stats.getType() == RTCStatsType.OUTBOUND_RTP
          && stats.getAttributes().get("packetsSent") instanceof Number count) {
        sent += count.longValue();
      }
    }
    return sent;
  }
}
