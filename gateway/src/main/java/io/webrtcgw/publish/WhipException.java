package io.webrtcgw.publish;

import java.time.Duration;

/**
 * A WHIP request that did not get the answer it needed; the message is one line a person can act
 * on, without the token or the endpoint's path.
 */
final class WhipException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Failure failure;
  private final int status;
  private final transient Duration retryAfter;

  /**
   * @param status the HTTP status, or 0 when there was no answer
   * @param retryAfter what the endpoint's {@code Retry-After} asked for, or null
   */
  WhipException(Failure failure, int status, Duration retryAfter, String message) {
    super(message);
    this.failure = failure;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  WhipException(Failure failure, String message) {
    this(failure, 0, null, message);
  }

  Failure failure() {
    return failure;
  }

  int status() {
    return status;
  }

  /** The endpoint's own {@code Retry-After}, or null. */
  Duration retryAfter() {
    return retryAfter;
  }
}
