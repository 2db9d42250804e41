package io.webrtcgw.source.rtsp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the RTP payloads of an H.264 stream (RFC 6184, packetization modes 0 and 1: single NAL
 * units, STAP-A, FU-A) into access units, a small state machine fed in sequence order. An access
 * unit ends with the marker bit or when the timestamp changes. After a gap it drops the access
 * units the gap touched and every one after them until the next IDR, counting the pictures it
 * gave up; STAP-B, MTAP and FU-B are refused and counted. Never throws, whatever the bytes: what
 * cannot be used is counted and skipped.
 */
final class H264Depacketizer {
  static final int MAX_ACCESS_UNIT_BYTES = 8 << 20;
  static final int MAX_NAL_UNITS = 1024;
  private static final int STAP_A = 24;
  private static final int FU_A = 28;

  /** Takes each complete access unit. */
  @FunctionalInterface
  interface Output {
    void accessUnit(AccessUnit unit);
  }

  private final Output output;
  private final List<byte[]> units = new ArrayList<>();
  private int unitBytes;
  private long timestamp = -1;
  private long lastArrival;
  /** The timestamp of an access unit a gap broke: its remaining packets are discarded. */
  private long brokenTimestamp = -1;
  private boolean awaitIdr = true;
  private byte[] fragment = new byte[0];
  private int fragmentLength = -1;
  private long dropped;
  private long refused;
  private long malformed;

  H264Depacketizer(Output output) {
    this.output = output;
  }

  /** Pictures given up: broken by loss, or waiting for the next IDR. */
  long dropped() {
    return dropped;
  }

  /** Packets of kinds this depacketizer does not take (STAP-B, MTAP16/24, FU-B, reserved types). */
  long refused() {
    return refused;
  }

  /** Packets whose payload contradicts itself (a STAP-A size past its end, an empty payload). */
  long malformed() {
    return malformed;
  }

  /** Starts over, e.g. for a new session: waits for an IDR again. The counts stay. */
  void reset() {
    units.clear();
    unitBytes = 0;
    timestamp = -1;
    brokenTimestamp = -1;
    fragmentLength = -1;
    awaitIdr = true;
  }

  /** Takes the next packet in sequence order; {@code afterGap}: packets are missing before it. */
  void push(RtpPacket packet, boolean afterGap) {
    if (afterGap) {
      breakUnit(packet.timestamp());
    }
    if (timestamp >= 0 && packet.timestamp() != timestamp) {
      // The previous unit's last packet (with the marker) never came, or the camera sets no markers.
      finishUnit();
    }
    if (packet.timestamp() == brokenTimestamp) {
      return;
    }
    brokenTimestamp = -1;
    timestamp = packet.timestamp();
    lastArrival = packet.arrivalNanos();
    if (!payload(packet)) {
      breakUnit(packet.timestamp());
      return;
    }
    if (packet.marker()) {
      finishUnit();
    }
  }

  /** Reads one payload into the unit; false when it cannot be used and the unit is broken. */
  private boolean payload(RtpPacket packet) {
    int length = packet.payloadLength();
    if (length < 1) {
      malformed++;
      return false;
    }
    int header = packet.payload(0);
    int type = header & 0x1F;
    // A zero byte cannot start a NAL unit: it is the start code some cameras put before theirs.
    if ((type >= 1 && type <= 23) || header == 0) {
      fragmentLength = -1;
      return add(packet.data(), packet.payloadOffset(), length);
    }
    if (type == STAP_A) {
      fragmentLength = -1;
      return aggregate(packet);
    }
    if (type == FU_A) {
      return fragment(packet);
    }
    // STAP-B, MTAP16, MTAP24, FU-B need packetization mode 2; 0, 30 and 31 are reserved.
    refused++;
    fragmentLength = -1;
    return false;
  }

  private boolean aggregate(RtpPacket packet) {
    int at = 1;
    int length = packet.payloadLength();
    boolean any = false;
    while (at < length) {
      if (at + 2 > length) {
        malformed++;
        return false;
      }
      int size = (packet.payload(at) << 8) | packet.payload(at + 1);
      at += 2;
      if (size == 0) {
        if (allZero(packet, at)) {
          break; // padding
        }
        malformed++;
        return false;
      }
      if (at + size > length) {
        malformed++;
        return false;
      }
      if (!add(packet.data(), packet.payloadOffset() + at, size)) {
        return false;
      }
      any = true;
      at += size;
    }
    if (!any) {
      malformed++;
      return false;
    }
    return true;
  }

  private boolean fragment(RtpPacket packet) {
    int length = packet.payloadLength();
    if (length < 2) {
      malformed++;
      return false;
    }
    int indicator = packet.payload(0);
    int fuHeader = packet.payload(1);
    boolean start = (fuHeader & 0x80) != 0;
    boolean end = (fuHeader & 0x40) != 0;
    if (start) {
      fragmentLength = 0;
      append((byte) ((indicator & 0xE0) | (fuHeader & 0x1F)), packet, 0, 0);
    } else if (fragmentLength < 0) {
      // The start of this NAL unit was lost (or came before we joined): the unit is broken.
      return false;
    }
    if (fragmentLength + length - 2 > MAX_ACCESS_UNIT_BYTES) {
      fragmentLength = -1;
      malformed++;
      return false;
    }
    append((byte) 0, packet, 2, length - 2);
    if (end) {
      // Some cameras set start and end on one fragment; RFC 6184 forbids it, but the unit is whole.
      boolean added = add(fragment, 0, fragmentLength);
      fragmentLength = -1;
      return added;
    }
    return true;
  }

  /** Appends the header byte (when {@code count} is 0) or {@code count} payload bytes from {@code from}. */
  private void append(byte headerByte, RtpPacket packet, int from, int count) {
    int needed = fragmentLength + Math.max(1, count);
    if (needed > fragment.length) {
      fragment = Arrays.copyOf(fragment, Math.max(needed, Math.max(4096, fragment.length * 2)));
    }
    if (count == 0 && from == 0) {
      fragment[fragmentLength++] = headerByte;
      return;
    }
    System.arraycopy(packet.data(), packet.payloadOffset() + from, fragment, fragmentLength, count);
    fragmentLength += count;
  }

  /**
   * Adds one NAL unit (a copy). Some cameras put several, with start codes, where one belongs: a
   * unit that starts with a zero byte (no NAL header does) is split at its start codes.
   */
  private boolean add(byte[] data, int offset, int length) {
    if (length < 1) {
      malformed++;
      return false;
    }
    if (data[offset] == 0) {
      return splitAnnexB(data, offset, length);
    }
    if (units.size() >= MAX_NAL_UNITS || unitBytes + length > MAX_ACCESS_UNIT_BYTES) {
      malformed++;
      return false;
    }
    units.add(Arrays.copyOfRange(data, offset, offset + length));
    unitBytes += length;
    return true;
  }

  private boolean splitAnnexB(byte[] data, int offset, int length) {
    int end = offset + length;
    int start = -1;
    int i = offset;
    while (i + 2 < end) {
      if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
        if (start >= 0 && !addTrimmed(data, start, i)) {
          return false;
        }
        i += 3;
        start = i;
      } else {
        i++;
      }
    }
    if (start < 0) {
      malformed++;
      return false;
    }
    return addTrimmed(data, start, end);
  }

  private boolean addTrimmed(byte[] data, int from, int to) {
    int end = to;
    while (end > from && data[end - 1] == 0) {
      end--;
    }
    if (end == from || data[from] == 0) {
      malformed++;
      return false;
    }
    return add(data, from, end - from);
  }

  private void breakUnit(long packetTimestamp) {
    if (timestamp >= 0) {
      // The unit under way lost a packet: its picture is gone, whatever had arrived of it.
      dropped++;
    }
    if (packetTimestamp != timestamp && packetTimestamp != brokenTimestamp) {
      // The gap took the first packets of the next unit too: its picture is gone as well.
      dropped++;
    }
    units.clear();
    unitBytes = 0;
    fragmentLength = -1;
    timestamp = -1;
    brokenTimestamp = packetTimestamp;
    awaitIdr = true;
  }

  private void finishUnit() {
    long stamp = timestamp;
    timestamp = -1;
    fragmentLength = -1;
    if (units.isEmpty()) {
      return;
    }
    boolean slices = false;
    boolean idr = false;
    boolean reference = false;
    for (byte[] unit : units) {
      int type = unit[0] & 0x1F;
      if (type == 1 || type == 5) {
        slices = true;
        idr |= type == 5;
        reference |= (unit[0] & 0x60) != 0;
      }
    }
    List<byte[]> complete = List.copyOf(units);
    units.clear();
    unitBytes = 0;
    if (awaitIdr && slices && !idr) {
      dropped++;
      return;
    }
    if (idr) {
      awaitIdr = false;
    }
    // Parameter sets and SEI alone pass even while waiting: the IDR that follows needs them.
    output.accessUnit(new AccessUnit(complete, stamp, lastArrival, idr, reference));
  }

  private static boolean allZero(RtpPacket packet, int from) {
    for (int i = from; i < packet.payloadLength(); i++) {
      if (packet.payload(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
