package io.webrtcgw.signaling;

import io.webrtcgw.source.SourceState;
import java.util.Optional;

/**
 * What a viewer is told when its stream's source changes state, over either protocol:
 * {@code source-unavailable} (retried, the session stays), {@code source-ended} or
 * {@code source-failed} (for good).
 */
public record SourceNotice(ErrorCode code, String message) {
  /** The notice for {@code state}, or empty for a state a viewer need not hear of (running, idle). */
  public static Optional<SourceNotice> of(String stream, SourceState state, String error) {
    ErrorCode code = switch (state) {
      case UNAVAILABLE -> ErrorCode.SOURCE_UNAVAILABLE;
      case ENDED -> ErrorCode.SOURCE_ENDED;
      case FAILED -> ErrorCode.SOURCE_FAILED;
      case IDLE, RUNNING -> null;
    };
    if (code == null) {
      return Optional.empty();
    }
    String what = switch (state) {
      case ENDED -> "has ended";
      case FAILED -> "cannot be played";
      default -> "is unavailable for now";
    };
    return Optional.of(new SourceNotice(code, "stream '" + stream + "' " + what + (error == null ? "" : ": " + error)));
  }
}
