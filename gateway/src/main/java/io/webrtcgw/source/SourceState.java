package io.webrtcgw.source;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a source is in its life, as shown in {@code /api/streams}. */
public enum SourceState {
  /** Not producing because nobody watches; starts with the first viewer. */
  IDLE,
  /** Producing frames. */
  RUNNING,
  /** Temporarily unable to produce (camera unplugged or busy); retried. */
  UNAVAILABLE,
  /** Finished (a file played once) or failed for good; see the last error. */
  ENDED,
  /** Failed with an error that a retry will not fix (e.g. an unplayable file). */
  FAILED;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
