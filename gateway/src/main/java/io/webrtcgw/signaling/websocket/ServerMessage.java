package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.ErrorCode;
import java.util.List;

/** A message the gateway sends to a viewer over the WebSocket. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerMessage.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = ServerMessage.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = ServerMessage.Trickle.class, name = "candidate"),
  @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
  @JsonSubTypes.Type(value = ServerMessage.Bye.class, name = "bye")
})
public sealed interface ServerMessage permits ServerMessage.Hello, ServerMessage.Answer, ServerMessage.Trickle,
    ServerMessage.Error, ServerMessage.Bye {

  /**
   * First message on a new connection (and again for a session that replaces a failed one); a
   * wall's has no {@code stream}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Hello(String session, String stream, List<IceServer> iceServers) implements ServerMessage {}

  /** The gateway's sendonly answer to an offer. */
  record Answer(String sdp) implements ServerMessage {}

  /** A gateway candidate; an empty {@code candidate} without a media section means all are sent. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Trickle(String candidate, String sdpMid, Integer sdpMLineIndex) implements ServerMessage {
    static Trickle of(Candidate candidate) {
      return new Trickle(candidate.candidate(), candidate.sdpMid(), candidate.sdpMLineIndex());
    }
  }

  /**
   * Something the viewer sent or asked for could not be done; the connection stays usable. On a
   * wall, {@code mid} and {@code stream} name the tile it is about.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Error(String code, String message, String mid, String stream) implements ServerMessage {
    public static Error of(ErrorCode code, String message) {
      return new Error(code.wire(), message, null, null);
    }

    public static Error ofTile(ErrorCode code, String message, String mid, String stream) {
      return new Error(code.wire(), message, mid, stream);
    }
  }

  /** The gateway is ending this connection (shutting down); the viewer may reconnect later. */
  record Bye(String reason) implements ServerMessage {}
}
