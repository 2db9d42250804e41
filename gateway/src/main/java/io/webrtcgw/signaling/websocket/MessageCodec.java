package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import java.util.List;
import java.util.regex.Pattern;

/** The WebSocket protocol's JSON: viewer messages in, with errors a person can act on, and gateway messages out. */
public final class MessageCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private static final ObjectWriter SERVER_WRITER = MAPPER.writerFor(ServerMessage.class);
  private static final List<String> KNOWN_TYPES =
      List.of("offer", "candidate", "viewport", "subscribe", "unsubscribe");
  private static final int MAX_VIEWPORT_SIDE = 65_535;
  /** RFC 8843's mid is an SDP token; browsers use short numbers. */
  private static final Pattern MID = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,32}");
  private static final int MAX_STREAM_NAME = 64;

  private MessageCodec() {}

  /** One gateway message as JSON text. */
  public static String encode(ServerMessage message) {
    try {
      return SERVER_WRITER.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** One viewer message, checked; anything unusable becomes a {@link SignalingException} with its code. */
  public static ClientMessage decode(String text) throws SignalingException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SignalingException(ErrorCode.BAD_JSON, "not valid JSON: " + abbreviate(e.getOriginalMessage()));
    }
    if (tree == null || tree.isMissingNode()) {
      throw new SignalingException(ErrorCode.BAD_JSON, "the message is empty; send a JSON object");
    }
    if (!tree.isObject()) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "a message must be a JSON object with a \"type\"");
    }
    JsonNode type = tree.get("type");
    if (type == null || !type.isTextual() || !KNOWN_TYPES.contains(type.asText())) {
      throw new SignalingException(ErrorCode.UNKNOWN_TYPE, type == null
          ? "a message needs a \"type\" (" + String.join(", ", KNOWN_TYPES) + ")"
          : "unknown message type " + abbreviate(type.toString()) + " (expected " + String.join(", ", KNOWN_TYPES) + ")");
    }
    ClientMessage message;
    try {
      message = MAPPER.treeToValue(tree, ClientMessage.class);
    } catch (JsonProcessingException e) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "malformed " + type.asText() + " message: " + abbreviate(e.getOriginalMessage()));
    }
    if (message instanceof ClientMessage.Viewport viewport && !valid(viewport)) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "a viewport needs width and height from 0 to " + MAX_VIEWPORT_SIDE + " and visible (true or false)");
    }
    if (message instanceof ClientMessage.Subscribe subscribe) {
      checkMid(subscribe.mid(), "subscribe");
      if (subscribe.stream() == null || subscribe.stream().isEmpty() || subscribe.stream().length() > MAX_STREAM_NAME) {
        throw new SignalingException(ErrorCode.BAD_MESSAGE,
            "a subscribe needs a stream: the name of one of the gateway's streams");
      }
    } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
      checkMid(unsubscribe.mid(), "unsubscribe");
    }
    return message;
  }

  private static void checkMid(String mid, String type) throws SignalingException {
    if (mid == null || !MID.matcher(mid).matches()) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "a" + (type.startsWith("u") ? "n " : " ") + type
          + " needs a mid: the media section's a=mid from the offer (1-32 token characters)");
    }
  }

  private static boolean valid(ClientMessage.Viewport viewport) {
    return viewport.visible() != null
        && viewport.width() != null && viewport.width() >= 0 && viewport.width() <= MAX_VIEWPORT_SIDE
        && viewport.height() != null && viewport.height() >= 0 && viewport.height() <= MAX_VIEWPORT_SIDE;
  }

  static String abbreviate(String text) {
    String oneLine = String.valueOf(text).replaceAll("\\s+", " ");
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
