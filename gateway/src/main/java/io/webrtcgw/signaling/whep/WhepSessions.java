package io.webrtcgw.signaling.whep;

import io.webrtcgw.config.IceServer;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.media.StreamRegistry;
import io.webrtcgw.rtc.OfferCheck;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.rtc.SessionRegistry;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.whep.WhepSdp.Fragment;
import io.webrtcgw.signaling.whep.WhepSdp.IceCredentials;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.SourceNotice;
import io.webrtcgw.source.SourceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP (draft-ietf-wish-whep) without HTTP: a {@link Session} per offer, addressed by its id, whose
 * answer carries every gateway candidate because the gateway cannot trickle to a WHEP player;
 * trickled viewer candidates and ICE restarts; deletion. Failures come back as {@link
 * SignalingException}, {@link StreamBusyException} or {@link WhepException} in the futures.
 */
public final class WhepSessions {
  private static final Logger log = LoggerFactory.getLogger(WhepSessions.class);

  private final StreamRegistry streams;
  private final SessionRegistry sessions;
  private final ScheduledExecutorService timers;
  private final Timeouts timeouts;
  private final Map<String, Resource> resources = new ConcurrentHashMap<>();

  /**
   * @param answer how long an offer may take to be answered
   * @param gathering how long an answer waits for the gateway's candidates before it goes out
   *     with those it has
   * @param connect how long a new session may take to connect before it is ended: a WHEP
   *     player that never connects has no socket whose closing would end its session
   */
  public record Timeouts(Duration answer, Duration gathering, Duration connect) {
    public static Timeouts defaults(Duration connect) {
      return new Timeouts(Duration.ofSeconds(15), Duration.ofSeconds(2), connect);
    }
  }

  /** Which ICE session a request is meant for ({@code If-Match} in HTTP). */
  public record Precondition(boolean given, Set<String> tags) {
    public static final Precondition NONE = new Precondition(false, Set.of());
    public static final Precondition ANY = new Precondition(true, Set.of("*"));

    public static Precondition oneOf(Set<String> tags) {
      return new Precondition(true, Set.copyOf(tags));
    }

    boolean admits(String current) {
      return !given || tags.contains("*") || tags.contains(current);
    }
  }

  /** A new session: its id, the answer with the gateway's candidates, its ICE session's tag. */
  public record Created(String sessionId, String answer, String tag) {}

  /** What a PATCH did. */
  public sealed interface Patched permits Trickled, Restarted {}

  /** The viewer's candidates were handed to the session. */
  public record Trickled() implements Patched {}

  /** ICE restarted: the gateway's new credentials and candidates as a fragment, and the new tag. */
  public record Restarted(String fragment, String tag) implements Patched {}

  public WhepSessions(StreamRegistry streams, SessionRegistry sessions, ScheduledExecutorService timers,
      Timeouts timeouts) {
    this.streams = streams;
    this.sessions = sessions;
    this.timers = timers;
    this.timeouts = timeouts;
  }

  /** Answers a viewer's offer with a new session of {@code streamName}. */
  public CompletableFuture<Created> create(String streamName, String offer, String peer) {
    try {
      LiveStream stream = streams.find(streamName).orElseThrow(() -> new SignalingException(
          ErrorCode.UNKNOWN_STREAM, "there is no stream named '" + streamName + "'"));
      refuseFinished(stream);
      OfferCheck.check(offer);
      IceCredentials remote = WhepSdp.credentials(offer);
      if (remote.ufrag() == null || remote.pwd() == null) {
        throw new SignalingException(ErrorCode.BAD_SDP, "the offer has no a=ice-ufrag and a=ice-pwd");
      }
      WhepChannel channel = new WhepChannel("whep " + peer);
      WhepChannel.Round round = channel.begin();
      Session session = sessions.open(stream, channel, sessions.newId());
      WhepDataChannel.attach(session, stream);
      Resource resource = new Resource(session, channel, offer, remote);
      session.offer(offer);
      return answer(round, session).handle((answer, error) -> {
        if (error != null) {
          session.close(EndReason.NEGOTIATION_FAILED);
          if (unwrap(error) instanceof WhepException) {
            // Ended under way (the gateway is shutting down): not a missing resource, try again.
            throw new CompletionException(new SignalingException(ErrorCode.INTERNAL,
                "the session ended before its offer was answered"));
          }
          throw propagate(error);
        }
        register(resource);
        return new Created(session.id(), WhepSdp.withCandidates(answer.sdp, answer.candidates, answer.complete),
            resource.tag());
      });
    } catch (SignalingException | StreamBusyException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Applies a trickle-ice-sdpfrag body: candidates for the current ICE session, or an ICE restart
   * when it names new credentials.
   */
  public CompletableFuture<Patched> patch(String streamName, String sessionId, String body, Precondition precondition) {
    try {
      Resource resource = find(streamName, sessionId);
      Fragment fragment = WhepSdp.parseFragment(body, resource.mid);
      IceCredentials named = fragment.credentials();
      IceCredentials current = resource.remote();
      if (named.ufrag() != null && !named.ufrag().equals(current.ufrag())) {
        if (!precondition.given()) {
          throw new WhepException(WhepException.Reason.PRECONDITION_REQUIRED,
              "an ICE restart needs If-Match: * or the session's current ETag");
        }
        if (named.pwd() == null) {
          throw new SignalingException(ErrorCode.BAD_SDP, "an ICE restart needs a=ice-pwd beside the new a=ice-ufrag");
        }
        return resource.serially(() -> restart(resource, fragment, precondition));
      }
      if (!precondition.admits(resource.tag())) {
        throw stale(resource);
      }
      if (named.pwd() != null && !named.pwd().equals(current.pwd())) {
        throw new SignalingException(ErrorCode.BAD_CANDIDATE,
            "a=ice-pwd does not match the ICE session of a=ice-ufrag:" + named.ufrag());
      }
      fragment.candidates().forEach(resource.session::addCandidate);
      return CompletableFuture.completedFuture(new Trickled());
    } catch (SignalingException | WhepException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Ends a session; completes once everything it held is released. */
  public CompletableFuture<EndReason> delete(String streamName, String sessionId) {
    try {
      Resource resource = find(streamName, sessionId);
      resources.remove(sessionId, resource);
      return resource.session.close(EndReason.VIEWER_LEFT);
    } catch (WhepException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A stream that has ended or failed for good gets no new session: a WHEP player could not be
   * told why its picture never comes. (One that is unavailable for now does: it resumes.)
   */
  private static void refuseFinished(LiveStream stream) throws SignalingException {
    SourceState state = stream.source().state();
    if (state == SourceState.ENDED || state == SourceState.FAILED) {
      SourceNotice notice = SourceNotice.of(stream.name(), state, stream.source().lastError()).orElseThrow();
      throw new SignalingException(notice.code(), notice.message());
    }
  }

  /** The ICE servers of one session, with its own TURN credentials when configured. */
  public List<IceServer> iceServersFor(String sessionId) {
    return sessions.iceServersFor(sessionId);
  }

  /**
   * ICE servers for a player that has no session yet and asks before its offer, so that its first
   * gathering can use TURN: credentials of their own, unrelated to any session.
   */
  public List<IceServer> iceServersForNewViewer() {
    return sessions.iceServersFor(sessions.newId());
  }

  /** Sessions started over WHEP that are still live. */
  public int count() {
    return resources.size();
  }

  private CompletableFuture<Patched> restart(Resource resource, Fragment fragment, Precondition precondition) {
    WhepChannel.Round round;
    String offer;
    synchronized (resource) {
      if (!precondition.admits(resource.tag())) {
        return CompletableFuture.failedFuture(stale(resource));
      }
      offer = WhepSdp.withCredentials(resource.offer, fragment.credentials());
      round = resource.channel.begin();
      resource.begin(offer, fragment.credentials());
    }
    resource.session.offer(offer);
    fragment.candidates().forEach(resource.session::addCandidate);
    return answer(round, resource.session).handle((answer, error) -> {
      if (error != null) {
        resource.rollBack();
        throw propagate(error);
      }
      IceCredentials local = WhepSdp.credentials(answer.sdp);
      String body = WhepSdp.fragment(local, WhepSdp.firstMedia(answer.sdp), answer.candidates, answer.complete);
      log.info("session {}: ICE restarted over WHEP", resource.session.id());
      return new Restarted(body, resource.tag());
    });
  }

  private record Answer(String sdp, List<Candidate> candidates, boolean complete) {}

  /** The session's answer once its candidates are gathered, or after the gathering bound. */
  private CompletableFuture<Answer> answer(WhepChannel.Round round, Session session) {
    CompletableFuture<String> answered = within(round.answer(), timeouts.answer(), () -> new SignalingException(
        ErrorCode.INTERNAL, "the gateway did not answer within " + timeouts.answer().toMillis() + " ms"));
    return answered.thenCompose(sdp -> {
      CompletableFuture<Boolean> gathered = new CompletableFuture<>();
      round.gathered().whenComplete((complete, error) -> gathered.complete(error == null && complete));
      schedule(() -> gathered.complete(false), timeouts.gathering());
      return gathered.thenApply(complete -> {
        if (!complete) {
          log.debug("session {}: answering before ICE gathering completed", session.id());
        }
        String ufrag = WhepSdp.credentials(sdp).ufrag();
        List<Candidate> current = round.candidates().stream()
            .filter(candidate -> {
              String own = WhepSdp.candidateUfrag(candidate.candidate());
              return own == null || own.equals(ufrag);
            })
            .toList();
        return new Answer(sdp, current, complete);
      });
    });
  }

  private void register(Resource resource) {
    Session session = resource.session;
    resources.put(session.id(), resource);
    // Whatever ends the session (DELETE, ICE failure or timeout, shutdown) ends the resource.
    session.ended().whenComplete((reason, error) -> resources.remove(session.id(), resource));
    schedule(() -> {
      if (!session.hasConnected() && !resource.restarted()) {
        log.info("session {}: WHEP viewer did not connect within {} s", session.id(), timeouts.connect().toSeconds());
        session.close(EndReason.ICE_TIMEOUT);
      }
    }, timeouts.connect());
  }

  private Resource find(String streamName, String sessionId) throws WhepException {
    Resource resource = resources.get(sessionId);
    if (resource == null || !resource.session.streamName().equals(streamName)) {
      throw new WhepException(WhepException.Reason.NO_SUCH_SESSION,
          "there is no session '" + sessionId + "' of stream '" + streamName + "'");
    }
    return resource;
  }

  private static WhepException stale(Resource resource) {
    return new WhepException(WhepException.Reason.PRECONDITION_FAILED,
        "If-Match names an ICE session that is no longer current (now \"" + resource.tag() + "\")");
  }

  private <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout, Supplier<Exception> failure) {
    schedule(() -> future.completeExceptionally(failure.get()), timeout);
    return future;
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      timers.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      task.run(); // shutting down: settle now rather than never
    }
  }

  private static CompletionException propagate(Throwable error) {
    return new CompletionException(unwrap(error));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  /** One WHEP session resource: the session, and the remote description its ICE session came from. */
  private static final class Resource {
    final Session session;
    final WhepChannel channel;
    /** The mid that candidates outside any media section of a fragment belong to. */
    final String mid;
    private String offer;
    private IceCredentials remote;
    private int generation = 1;
    private String previousOffer;
    private IceCredentials previousRemote;
    private CompletableFuture<?> restarts = CompletableFuture.completedFuture(null);

    Resource(Session session, WhepChannel channel, String offer, IceCredentials remote) {
      this.session = session;
      this.channel = channel;
      this.offer = offer;
      this.remote = remote;
      String first = WhepSdp.firstMedia(offer).mid();
      this.mid = first == null ? "0" : first;
    }

    synchronized IceCredentials remote() {
      return remote;
    }

    /** The entity tag of the current ICE session. */
    synchronized String tag() {
      return session.id() + "." + generation;
    }

    synchronized boolean restarted() {
      return generation > 1;
    }

    synchronized void begin(String newOffer, IceCredentials newRemote) {
      previousOffer = offer;
      previousRemote = remote;
      offer = newOffer;
      remote = newRemote;
      generation++;
    }

    /** A restart that was not answered leaves the ICE session it meant to replace in place. */
    synchronized void rollBack() {
      offer = previousOffer;
      remote = previousRemote;
      generation--;
    }

    /** Runs ICE restarts one after another: each builds on the description the last one left. */
    synchronized <T> CompletableFuture<T> serially(Supplier<CompletableFuture<T>> step) {
      CompletableFuture<T> next = restarts.handle((ignored, error) -> null).thenCompose(ignored -> step.get());
      restarts = next;
      return next;
    }
  }
}
