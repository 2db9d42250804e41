package io.webrtcgw.signaling;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A trickled ICE candidate; the same shape in both directions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex)
    implements ClientMessage, ServerMessage {}
