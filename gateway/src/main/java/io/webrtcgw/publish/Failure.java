package io.webrtcgw.publish;

import java.util.Locale;

/** What made a publication attempt fail; decides how soon the next one comes. */
public enum Failure {
  /** No answer from the endpoint: connection refused, reset or timed out. */
  UNREACHABLE(false),
  /** A 5xx, 408 or 429: the endpoint is there but cannot take the stream now. */
  SERVER_ERROR(false),
  /** A 4xx: the endpoint refuses the request as it is (a wrong token, a wrong URL). */
  REFUSED(true),
  /** An answer that does not follow WHIP: no {@code Location}, no SDP. */
  PROTOCOL(true),
  /** libwebrtc could not use what the endpoint answered. */
  NEGOTIATION(true),
  /** ICE or DTLS did not connect, or stayed disconnected through a restart. */
  CONNECTION(false);

  private final boolean slow;

  Failure(boolean slow) {
    this.slow = slow;
  }

  /** Whether trying again soon would most likely fail the same way. */
  public boolean slow() {
    return slow;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
