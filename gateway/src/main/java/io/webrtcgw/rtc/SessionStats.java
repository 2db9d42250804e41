package io.webrtcgw.rtc;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import java.util.Map;

/**
 * What one session's peer connection reports about the video it sends, read from a libwebrtc stats
 * report.
 *
 * @param codec the MIME subtype, e.g. {@code VP8}, or null before negotiation
 * @param bytesSent RTP payload and header bytes sent so far
 * @param bitrate the encoder's target bitrate in bit/s, or 0 when unknown
 * @param fps frames per second sent recently
 * @param candidateType the local candidate of the selected pair: {@code host}, {@code srflx},
 *     {@code prflx} or {@code relay}; null before ICE connects
 * @param framesEncoded frames the encoder has produced so far
 * @param qpSum the sum of those frames' quantizers: its growth divided by framesEncoded's is the
 *     picture's average QP, how coarsely the bitrate cap makes the encoder quantize
 * @param frameWidth the width last encoded, 0 when unknown
 * @param frameHeight the height last encoded, 0 when unknown
 * @param keyFramesEncoded key frames among framesEncoded
 * @param qualityLimitation what holds the encoder back now: {@code none}, {@code bandwidth} (its
 *     bitrate cap or the viewer's estimate), {@code cpu} or {@code other}; null when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionStats(String codec, long bytesSent, long bitrate, double fps, String candidateType,
    long framesEncoded, long qpSum, int frameWidth, int frameHeight, long keyFramesEncoded, String qualityLimitation) {
  public static final SessionStats EMPTY = new SessionStats(null, 0, 0, 0, null, 0, 0, 0, 0, 0, null);

  public static SessionStats of(RTCStatsReport report) {
    if (report == null) {
      return EMPTY;
    }
    Map<String, RTCStats> all = report.getStats();
    String codec = null;
    long bytes = 0;
    long bitrate = 0;
    double fps = 0;
    String candidateType = null;
    long framesEncoded = 0;
    long qpSum = 0;
    int width = 0;
    int height = 0;
    long keyFrames = 0;
    String limitation = null;
    for (RTCStats stats : all.values()) {
      Map<String, Object> a = stats.getAttributes();
      if (stats.getType() == RTCStatsType.OUTBOUND_RTP && "video".equals(a.get("kind"))) {
        bytes += number(a.get("bytesSent")) + number(a.get("headerBytesSent"));
        bitrate += number(a.get("targetBitrate"));
        fps = Math.max(fps, decimal(a.get("framesPerSecond")));
        framesEncoded += number(a.get("framesEncoded"));
        qpSum += number(a.get("qpSum"));
        width = Math.max(width, (int) number(a.get("frameWidth")));
        height = Math.max(height, (int) number(a.get("frameHeight")));
        keyFrames += number(a.get("keyFramesEncoded"));
        if (a.get("qualityLimitationReason") instanceof String reason) {
          limitation = reason;
        }
        RTCStats codecStats = all.get(String.valueOf(a.get("codecId")));
        if (codecStats != null && codecStats.getAttributes().get("mimeType") instanceof String mime) {
          codec = mime.substring(mime.indexOf('/') + 1);
        }
      } else if (stats.getType() == RTCStatsType.TRANSPORT) {
        RTCStats pair = all.get(String.valueOf(a.get("selectedCandidatePairId")));
        RTCStats local = pair == null ? null : all.get(String.valueOf(pair.getAttributes().get("localCandidateId")));
        if (local != null && local.getAttributes().get("candidateType") instanceof String type) {
          candidateType = type;
        }
      }
    }
    return new SessionStats(codec, bytes, bitrate, fps, candidateType, framesEncoded, qpSum, width, height, keyFrames,
        limitation);
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  private static double decimal(Object value) {
    return value instanceof Number n ? n.doubleValue() : 0;
  }
}
