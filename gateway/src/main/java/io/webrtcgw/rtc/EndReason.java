package io.webrtcgw.rtc;

import io.webrtcgw.signaling.CloseCodes;
import java.util.Locale;

/** Why a session ended, and what that means for its signaling connection. */
public enum EndReason {
  /** The viewer closed its connection. */
  VIEWER_LEFT(-1),
  /** ICE reported failure. */
  ICE_FAILED(CloseCodes.ICE_ENDED),
  /** ICE stayed disconnected longer than the grace period. */
  ICE_TIMEOUT(CloseCodes.ICE_ENDED),
  /** The first offer could not be answered; the connection stays open for another try. */
  NEGOTIATION_FAILED(-1),
  /** The gateway is shutting down. */
  SHUTDOWN(CloseCodes.GOING_AWAY),
  /** An unexpected failure inside the gateway. */
  INTERNAL_ERROR(CloseCodes.INTERNAL_ERROR);

  private final int closeCode;

  EndReason(int closeCode) {
    this.closeCode = closeCode;
  }

  /** The close code for the signaling connection, or -1 to leave it open. */
  public int closeCode() {
    return closeCode;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
