package io.webrtcgw.source.rtsp;

import java.util.Map;
import java.util.TreeMap;

/**
 * Puts RTP packets back in sequence order within a small bound, and counts the ones that never
 * come. A packet ahead of the one expected is held until the gap fills, or until more than {@code
 * capacity} packets wait or the oldest has waited {@code maxHoldNanos}; then the missing packets
 * count as lost and delivery goes on. No jitter buffer beyond that: live means live. With capacity
 * 0 (TCP, which cannot reorder) every gap counts as loss at once.
 */
final class ReorderWindow {
  /** A sequence jump this large is a restart of the sender, not a loss. */
  static final int RESTART_JUMP = 3000;

  /** Takes packets in order; {@code afterGap} says packets are missing before this one. */
  @FunctionalInterface
  interface Output {
    void packet(RtpPacket packet, boolean afterGap);
  }

  private final int capacity;
  private final long maxHoldNanos;
  private final Output output;
  private final TreeMap<Long, RtpPacket> held = new TreeMap<>();
  /** The extended (unwrapped) sequence number expected next, or -1 before the first packet. */
  private long expected = -1;
  private long ssrc = -1;
  private long lost;
  private long late;

  ReorderWindow(int capacity, long maxHoldNanos, Output output) {
    this.capacity = capacity;
    this.maxHoldNanos = maxHoldNanos;
    this.output = output;
  }

  /** Packets that never arrived, so far. */
  long lost() {
    return lost;
  }

  /** Packets that came after their place was given up (or twice), and were dropped. */
  long late() {
    return late;
  }

  void add(RtpPacket packet) {
    if (expected < 0 || packet.ssrc() != ssrc) {
      // The first packet, or a new sender (a camera restart): start over, no loss to count.
      boolean restart = expected >= 0;
      flushAll();
      ssrc = packet.ssrc();
      expected = packet.sequence();
      deliver(packet, restart);
      return;
    }
    int distance = (short) (packet.sequence() - (int) (expected & 0xFFFF));
    if (Math.abs(distance) >= RESTART_JUMP) {
      flushAll();
      expected = packet.sequence();
      deliver(packet, true);
      return;
    }
    long extended = expected + distance;
    if (distance < 0 || held.containsKey(extended)) {
      late++;
      return;
    }
    if (distance == 0) {
      deliver(packet, false);
      drainConsecutive();
      return;
    }
    if (capacity == 0) {
      lost += distance;
      expected = extended;
      deliver(packet, true);
      return;
    }
    held.put(extended, packet);
    while (held.size() > capacity) {
      skipToOldest();
    }
  }

  /**
   * Gives up on gaps whose oldest held packet has waited too long. Returns how long until the next
   * packet's hold ends, or -1 when nothing is held.
   */
  long release(long nowNanos) {
    while (!held.isEmpty()) {
      long waited = nowNanos - held.firstEntry().getValue().arrivalNanos();
      if (waited < maxHoldNanos) {
        return maxHoldNanos - waited;
      }
      skipToOldest();
    }
    return -1;
  }

  /** Forgets everything held (a new session); the counts stay. */
  void reset() {
    held.clear();
    expected = -1;
    ssrc = -1;
  }

  private void deliver(RtpPacket packet, boolean afterGap) {
    expected++;
    output.packet(packet, afterGap);
  }

  private void drainConsecutive() {
    RtpPacket next;
    while ((next = held.remove(expected)) != null) {
      deliver(next, false);
    }
  }

  private void skipToOldest() {
    Map.Entry<Long, RtpPacket> oldest = held.pollFirstEntry();
    lost += oldest.getKey() - expected;
    expected = oldest.getKey();
    deliver(oldest.getValue(), true);
    drainConsecutive();
  }

  private void flushAll() {
    while (!held.isEmpty()) {
      skipToOldest();
    }
  }
}
