package io.webrtcgw.rtc;

import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.ServerMessage;
import io.webrtcgw.signaling.SignalingChannel;
import io.webrtcgw.signaling.SignalingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link SignalingChannel} of a WHEP session. HTTP cannot push, so instead of sending, it
 * collects what the session says in answer to one offer (a {@link Round}) until the request that
 * made the offer takes it.
 */
final class WhepChannel implements SignalingChannel {
  private final String peer;
  private Round round;
  private boolean closed;

  WhepChannel(String peer) {
    this.peer = peer;
  }

  /** What the session says in answer to one offer: the answer, its candidates, their end. */
  static final class Round {
    private final CompletableFuture<String> answer = new CompletableFuture<>();
    private final CompletableFuture<Boolean> gathered = new CompletableFuture<>();
    private final List<Candidate> candidates = new ArrayList<>();

    /** The answer's SDP, or the session's refusal as a {@link SignalingException}. */
    CompletableFuture<String> answer() {
      return answer;
    }

    /** Completes with true once the gateway has gathered every candidate for the answer. */
    CompletableFuture<Boolean> gathered() {
      return gathered;
    }

    /** The candidates gathered so far for the answer. */
    List<Candidate> candidates() {
      synchronized (this) {
        return List.copyOf(candidates);
      }
    }
  }

  /** Starts collecting for an offer about to be given to the session. */
  synchronized Round begin() {
    round = new Round();
    if (closed) {
      endRound(round);
    }
    return round;
  }

  @Override
  public synchronized void send(ServerMessage message) {
    Round current = round;
    if (current == null) {
      return;
    }
    if (message instanceof ServerMessage.Answer answer) {
      current.answer.complete(answer.sdp());
    } else if (message instanceof ServerMessage.Error error) {
      ErrorCode code = codeOf(error.code());
      // A refused trickled candidate is no answer to the offer under way; its PATCH was answered.
      if (code != ErrorCode.BAD_CANDIDATE) {
        current.answer.completeExceptionally(new SignalingException(code, error.message()));
      }
    } else if (message instanceof Candidate candidate && current.answer.isDone()) {
      // Anything before this round's answer belongs to the ICE session it replaces.
      if (candidate.candidate() == null || candidate.candidate().isEmpty()) {
        current.gathered.complete(true);
      } else {
        synchronized (current) {
          current.candidates.add(candidate);
        }
      }
    }
  }

  @Override
  public synchronized void close(int code, String reason) {
    closed = true;
    if (round != null) {
      endRound(round);
    }
  }

  @Override
  public synchronized boolean isOpen() {
    return !closed;
  }

  @Override
  public String peer() {
    return peer;
  }

  private static void endRound(Round round) {
    round.answer.completeExceptionally(
        new WhepException(WhepException.Reason.NO_SUCH_SESSION, "the session has ended"));
    round.gathered.complete(false);
  }

  private static ErrorCode codeOf(String wire) {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.wire().equals(wire)) {
        return code;
      }
    }
    return ErrorCode.INTERNAL;
  }
}
