package io.webrtcgw.media;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.webrtcgw.source.SourceState;

/**
 * What {@code /api/streams} says about one stream.
 *
 * @param width the picture's size now (the nominal one before the first frame)
 * @param fps the nominal frame rate
 * @param codec what the source receives ({@code h264}, {@code mjpeg}); absent for raw pictures
 * @param measuredFps frames handed to viewers per second, over the last two seconds
 * @param bitrateIn bits per second received from the camera or read from disk
 * @param framesDropped frames given up to stay live since the gateway started
 * @param packetsLost RTP packets that never arrived
 * @param reconnects how often the source connected again after losing its camera
 * @param error the last error, without passwords
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamInfo(
    String name, String kind, SourceState state, int width, int height, double fps, int viewers,
    String codec, double measuredFps, long bitrateIn, long framesDropped, long packetsLost, long reconnects,
    String error) {}
