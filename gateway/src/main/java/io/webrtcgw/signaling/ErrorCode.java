package io.webrtcgw.signaling;

import java.util.Locale;

/** Codes carried by {@code error} messages; documented in README. */
public enum ErrorCode {
  /** The message is not JSON. */
  BAD_JSON,
  /** The JSON has no {@code type}, or one the gateway does not know. */
  UNKNOWN_TYPE,
  /** A known type with missing or wrongly typed fields. */
  BAD_MESSAGE,
  /** The offer's SDP cannot be parsed or applied. */
  BAD_SDP,
  /** The offer has no video section to answer. */
  NO_VIDEO,
  /** A candidate arrived before any offer. */
  NO_OFFER,
  /** The candidate could not be added. */
  BAD_CANDIDATE,
  /** A token is needed and none or a wrong one was given; the socket closes with 4401. */
  UNAUTHORIZED,
  /** The token is valid, but not for this stream; the socket closes with 4403. */
  FORBIDDEN,
  /** The stream named in the URL does not exist. */
  UNKNOWN_STREAM,
  /** The stream or the gateway has its maximum number of viewers. */
  BUSY,
  /** A wall asked for more tiles than one session may carry ({@code limits.maxTilesPerSession}). */
  TILE_LIMIT,
  /** The stream's source cannot produce pictures for now (camera gone, server down); it is retried and the session stays. */
  SOURCE_UNAVAILABLE,
  /** The stream has ended for good (a file played once to its end); the viewer should stop. */
  SOURCE_ENDED,
  /** The stream's source failed for good (an unplayable file); the viewer should stop and say why. */
  SOURCE_FAILED,
  /** Too many messages in a short time. */
  RATE_LIMITED,
  /** The gateway failed; the viewer may retry. */
  INTERNAL;

  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
