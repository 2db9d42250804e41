package io.webrtcgw.signaling.whep;

import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.ViewerPort;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link ViewerPort} of a WHEP session. HTTP cannot push, so instead of sending, it collects
 * what the session says in answer to one offer (a {@link Round}) until the request that made the
 * offer takes it.
 */
final class WhepChannel implements ViewerPort {
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
  public synchronized void answer(String sdp) {
    if (round != null) {
      round.answer.complete(sdp);
    }
  }

  @Override
  public synchronized void error(ErrorCode code, String message) {
    // A refused trickled candidate is no answer to the offer under way; its PATCH was answered.
    if (round != null && code != ErrorCode.BAD_CANDIDATE) {
      round.answer.completeExceptionally(new SignalingException(code, message));
    }
  }

  @Override
  public synchronized void candidate(Candidate candidate) {
    Round current = round;
    // Anything before this round's answer belongs to the ICE session it replaces.
    if (current == null || !current.answer.isDone()) {
      return;
    }
    if (candidate.isEnd()) {
      current.gathered.complete(true);
    } else {
      synchronized (current) {
        current.candidates.add(candidate);
      }
    }
  }

  @Override
  public synchronized void ended(EndReason reason) {
    closed = true;
    if (round != null) {
      endRound(round);
    }
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
}
