package io.webrtcgw.source.rtsp;

import java.util.List;

/**
 * One H.264 access unit as it came off RTP: its NAL units (header byte first, no start codes),
 * RTP timestamp and when its last packet arrived.
 *
 * @param idr whether it holds an IDR slice, from which decoding can start
 * @param reference whether later pictures may refer to it; one that is not can be skipped alone
 */
public record AccessUnit(List<byte[]> nalUnits, long timestamp, long arrivalNanos, boolean idr, boolean reference) {

  public int size() {
    int bytes = 0;
    for (byte[] unit : nalUnits) {
      bytes += unit.length;
    }
    return bytes;
  }
}
