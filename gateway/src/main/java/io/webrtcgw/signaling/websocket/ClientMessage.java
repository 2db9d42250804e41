package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.webrtcgw.signaling.Candidate;

/** A message a viewer sends over the WebSocket; the JSON {@code type} picks the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Offer.class, name = "offer"),
  @JsonSubTypes.Type(value = ClientMessage.Trickle.class, name = "candidate"),
  @JsonSubTypes.Type(value = ClientMessage.Viewport.class, name = "viewport"),
  @JsonSubTypes.Type(value = ClientMessage.Subscribe.class, name = "subscribe"),
  @JsonSubTypes.Type(value = ClientMessage.Unsubscribe.class, name = "unsubscribe")
})
public sealed interface ClientMessage permits ClientMessage.Offer, ClientMessage.Trickle, ClientMessage.Viewport,
    ClientMessage.Subscribe, ClientMessage.Unsubscribe {

  /** A recvonly video offer: the first one starts the session, later ones renegotiate or restart ICE. */
  record Offer(String sdp) implements ClientMessage {}

  /** A trickled viewer candidate; an empty {@code candidate} is the end of them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Trickle(String candidate, String sdpMid, Integer sdpMLineIndex) implements ClientMessage {
    Candidate toCandidate() {
      return new Candidate(candidate, sdpMid, sdpMLineIndex);
    }
  }

  /**
   * The size the viewer shows the video at, in device pixels, and whether the page is visible; on
   * a wall, of the tile on media section {@code mid} (ignored on a single stream's socket).
   */
  record Viewport(Integer width, Integer height, Boolean visible, String mid) implements ClientMessage {}

  /** A wall's tile: send {@code stream} on the offer's media section {@code mid}. */
  record Subscribe(String mid, String stream) implements ClientMessage {}

  /** A wall's tile ends: stop sending on media section {@code mid}. */
  record Unsubscribe(String mid) implements ClientMessage {}
}
