package io.webrtcgw.signaling;

import java.util.Locale;

/** Why a session ended; each viewer protocol decides what that means for its connection. */
public enum EndReason {
  /** The viewer closed its connection or deleted its session. */
  VIEWER_LEFT,
  /** ICE reported failure. */
  ICE_FAILED,
  /** ICE stayed disconnected longer than the grace period, or never connected in time. */
  ICE_TIMEOUT,
  /** The first offer could not be answered; the connection may try again. */
  NEGOTIATION_FAILED,
  /** The gateway is shutting down. */
  SHUTDOWN,
  /** An unexpected failure inside the gateway. */
  INTERNAL_ERROR;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
