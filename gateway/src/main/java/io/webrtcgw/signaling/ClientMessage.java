package io.webrtcgw.signaling;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A message a viewer sends; the JSON {@code type} picks the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Offer.class, name = "offer"),
  @JsonSubTypes.Type(value = Candidate.class, name = "candidate"),
  @JsonSubTypes.Type(value = ClientMessage.Viewport.class, name = "viewport")
})
public sealed interface ClientMessage permits ClientMessage.Offer, Candidate, ClientMessage.Viewport {

  /** A recvonly video offer: the first one starts the session, later ones renegotiate or restart ICE. */
  record Offer(String sdp) implements ClientMessage {}

  /**
   * The size the viewer shows the video at, in device pixels, and whether the page is visible.
   */
  record Viewport(Integer width, Integer height, Boolean visible) implements ClientMessage {}
}
