package io.webrtcgw.media;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.webrtcgw.source.SourceState;

/** What {@code /api/streams} says about one stream. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamInfo(
    String name, String kind, SourceState state, int width, int height, double fps, int viewers, String error) {}
