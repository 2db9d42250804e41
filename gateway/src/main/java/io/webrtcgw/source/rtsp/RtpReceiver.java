package io.webrtcgw.source.rtsp;

import io.webrtcgw.source.SourceMeter;

/**
 * One session's RTP path, on the thread that reads the network: parses packets, keeps those of the
 * video's payload type, puts them in order (a reorder window over UDP, none over TCP), turns them
 * into access units and queues those for decoding. Counts bytes, losses and what it drops.
 */
final class RtpReceiver {
  /** Over UDP: packets held for a gap to fill, and for how long at most. */
  static final int UDP_WINDOW_PACKETS = 32;
  static final long UDP_WINDOW_NANOS = 10_000_000;

  private final int payloadType;
  private final SourceMeter meter;
  private final ReorderWindow window;
  private final H264Depacketizer depacketizer;
  private long reportedLost;
  private long reportedDropped;
  private long malformed;
  private long foreign;

  RtpReceiver(int payloadType, boolean reorder, SourceMeter meter, H264Depacketizer.Output units) {
    this.payloadType = payloadType;
    this.meter = meter;
    this.depacketizer = new H264Depacketizer(units);
    this.window = new ReorderWindow(reorder ? UDP_WINDOW_PACKETS : 0, UDP_WINDOW_NANOS, depacketizer::push);
  }

  /** Takes one datagram or interleaved frame's bytes, which it keeps: the caller must not reuse them. */
  void packet(byte[] data, int offset, int length, long arrivalNanos) {
    meter.received(length);
    RtpPacket packet = RtpPacket.parse(data, offset, length, arrivalNanos);
    if (packet == null) {
      malformed++;
      return;
    }
    if (packet.payloadType() != payloadType) {
      foreign++;
      return;
    }
    window.add(packet);
    report();
  }

  /**
   * Gives up on gaps held too long; returns nanoseconds until the next hold ends, or -1 when
   * nothing is held.
   */
  long release(long nowNanos) {
    long next = window.release(nowNanos);
    report();
    return next;
  }

  /** Packets that were not RTP, or of another payload type. */
  long ignored() {
    return malformed + foreign;
  }

  long refused() {
    return depacketizer.refused();
  }

  private void report() {
    long lost = window.lost();
    if (lost != reportedLost) {
      meter.lost(lost - reportedLost);
      reportedLost = lost;
    }
    long dropped = depacketizer.dropped();
    if (dropped != reportedDropped) {
      meter.dropped(dropped - reportedDropped);
      reportedDropped = dropped;
    }
  }
}
