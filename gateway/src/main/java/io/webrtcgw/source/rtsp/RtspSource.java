package io.webrtcgw.source.rtsp;

import io.webrtcgw.config.SecretMask;
import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.config.SourceOptions.Transport;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.h264.JCodecLogBridge;
import io.webrtcgw.source.h264.StreamDecoder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IP camera over RTSP: one connection per stream however many watch, H.264 over RTP (TCP
 * interleaved, UDP, or UDP falling back to TCP), decoded with JCodec in a decoder process
 * ({@link StreamDecoder}) fed from a thread of its own, and handed on as soon as each picture is
 * complete. Any fault makes the stream {@code unavailable} with a one-line reason and a reconnect:
 * capped backoff for the network, a slow retry for what a person must fix (a refused login, a
 * codec JCodec cannot decode). No password reaches a log line or an error text.
 */
public final class RtspSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(RtspSource.class);
  /** At most one reconnect without telling viewers in this time. */
  static final Duration QUIET_RETRY_EVERY = Duration.ofSeconds(30);
  /** Over UDP, how long RTP may pause after the server closed the RTSP connection before it counts as gone. */
  static final Duration CLOSED_AND_SILENT = Duration.ofMillis(500);
  /** What the source reports before the camera has told it its picture size. */
  static final VideoFormat NOMINAL = new VideoFormat(1280, 720, 30);

  /**
   * How long things may take and how often to retry.
   *
   * @param udpWait with {@code transport: auto}, how long UDP may stay silent after PLAY before the
   *     source falls back to TCP
   * @param probeEvery while the camera is unreachable, how often a bare TCP connect checks whether
   *     it is back (which ends the backoff wait early)
   * @param decodeBudget how long one picture may take to decode before its decoder process is
   *     ended (JCodec loops forever on some damaged input); decoding goes on at the next key frame
   */
  public record Timing(Duration connect, Duration response, Duration firstRetry, Duration maxRetry,
      Duration slowRetry, Duration udpWait, Duration probeEvery, Duration stopPatience, Duration decodeBudget) {
    // The budget is the file source's: a cold decoder process's first 1080p key frame must fit.
    public static final Timing DEFAULT = new Timing(Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(3),
        Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  private final String stream;
  private final RtspUrl url;
  private final SourceOptions options;
  private final Clock clock;
  private final Timing timing;
  private final StreamDecoder.Factory decoders;
  private final SourceMeter meter = new SourceMeter();
  private final Object lock = new Object();
  private Run current;
  private boolean closed;
  private volatile SourceState state = SourceState.IDLE;
  private volatile String lastError;
  private volatile VideoFormat format = NOMINAL;

  /**
   * @param url the camera; a login in it wins over {@code options.username()/password()}
   * @param decoders where H.264 is decoded (a {@link io.webrtcgw.source.h264.DecoderSandbox})
   */
  public RtspSource(String stream, RtspUrl url, SourceOptions options, Clock clock, StreamDecoder.Factory decoders) {
    this(stream, url, options, clock, Timing.DEFAULT, decoders);
  }

  RtspSource(String stream, RtspUrl url, SourceOptions options, Clock clock, Timing timing,
      StreamDecoder.Factory decoders) {
    this.stream = stream;
    this.url = url.username() == null && options.username() != null
        ? url.withLogin(options.username(), options.password())
        : url;
    this.options = options;
    this.clock = clock;
    this.timing = timing;
    this.decoders = decoders;
    meter.codec("h264");
    // Parameter sets are read here, with JCodec's reader.
    JCodecLogBridge.install();
  }

  @Override
  public String kind() {
    return "rtsp";
  }

  @Override
  public VideoFormat format() {
    return format;
  }

  @Override
  public boolean decodesH264() {
    return true;
  }

  @Override
  public SourceState state() {
    return state;
  }

  @Override
  public String lastError() {
    return lastError;
  }

  @Override
  public SourceMeter meter() {
    return meter;
  }

  /** The camera's URL as people may see it. */
  public String maskedUrl() {
    return url.masked();
  }

  @Override
  public void start(FrameSink sink, SourceListener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("RTSP source '" + stream + "' is closed");
      }
      if (current != null) {
        return;
      }
      current = new Run(sink, listener);
      current.start();
    }
  }

  @Override
  public void stop() {
    Run run;
    synchronized (lock) {
      run = current;
      current = null;
    }
    if (run == null) {
      return;
    }
    run.stop();
    synchronized (lock) {
      if (current == null) {
        state = SourceState.IDLE;
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    stop();
  }

  /** Text for people: the URL's password and the configured one masked, whatever a server echoed. */
  private String masked(String text) {
    return SecretMask.text(text, url.password(), options.password());
  }

  /** One run from start to stop: its threads, and the sessions it plays one after another. */
  private final class Run implements LiveDecoder.Events {
    private final FrameSink sink;
    private final SourceListener listener;
    private final Thread sessionThread;
    private final Thread decodeThread;
    private final LiveDecoder decoder;
    private final Backoff backoff = new Backoff(timing.firstRetry(), timing.maxRetry());
    private final AtomicInteger sessions = new AtomicInteger();
    private final Object waits = new Object();
    private volatile boolean active = true;
    /** What stop() must close to cut a connect, a read or a receive short. */
    private volatile AutoCloseable inFlight;
    private volatile UdpPorts udp;
    /** A fault found off the session thread (decoder, control reader), for the session thread to report. */
    private volatile RtspException fault;
    private volatile int pictureSession = -1;
    private boolean udpFailed;
    private boolean playedBefore;
    private long lastQuietRetry;
    private SourceState reported;
    private String reportedError;

    Run(FrameSink sink, SourceListener listener) {
      this.sink = sink;
      this.listener = listener;
      this.decoder = new LiveDecoder(stream, decoders, timing.decodeBudget(), sink, meter, this, clock,
          System::nanoTime);
      this.sessionThread = new Thread(this::loop, "rtsp-" + stream);
      this.sessionThread.setDaemon(true);
      this.decodeThread = new Thread(decoder, "rtsp-" + stream + "-decode");
      this.decodeThread.setDaemon(true);
    }

    void start() {
      decodeThread.start();
      sessionThread.start();
    }

    void stop() {
      active = false;
      synchronized (waits) {
        waits.notifyAll();
      }
      abortInFlight();
      decoder.end();
      // A decode in progress is waited for in a way that an interrupt ends (its process with it).
      decodeThread.interrupt();
      join(sessionThread);
      join(decodeThread);
    }

    private void join(Thread thread) {
      try {
        thread.join(timing.stopPatience().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("stream {}: thread {} did not stop within {} ms", stream, thread.getName(),
            timing.stopPatience().toMillis());
      }
    }

    private void abortInFlight() {
      AutoCloseable closing = inFlight;
      if (closing != null) {
        try {
          closing.close();
        } catch (Exception e) {
          log.debug("stream {}: closing the connection failed: {}", stream, e.toString());
        }
      }
      UdpPorts ports = udp;
      if (ports != null) {
        ports.close();
      }
    }

    private void loop() {
      while (active) {
        RtspException failure;
        try {
          boolean again = playOnce();
          if (!active) {
            return;
          }
          if (again) {
            continue;
          }
          failure = RtspSession.soon(url.masked() + ": the camera ended the stream");
        } catch (RtspException e) {
          failure = e;
        } catch (RuntimeException e) {
          log.error("stream {}: RTSP session failed unexpectedly", stream, e);
          failure = RtspSession.soon(url.masked() + ": failed unexpectedly: " + e);
        }
        if (!active) {
          return;
        }
        if (quietRetryDue(failure)) {
          // A session that played and was then cut (a server dropping it, a reset connection) is
          // tried again at once, without troubling viewers; only if that fails do they hear of it.
          log.info("stream {}: {}; reconnecting", stream, masked(failure.getMessage()));
          continue;
        }
        Duration delay = failure.retry() == RtspException.Retry.SLOWLY ? timing.slowRetry() : backoff.next();
        report(SourceState.UNAVAILABLE, failure.getMessage(), delay);
        await(delay, failure.retry() == RtspException.Retry.ONCE_REACHABLE);
      }
    }

    /**
     * Whether to reconnect at once: the session that just ended had delivered pictures, and no quiet
     * retry was used within {@link #QUIET_RETRY_EVERY}, so a server that cuts every session cannot
     * keep the source reconnecting unseen.
     */
    private boolean quietRetryDue(RtspException failure) {
      boolean played = pictureSession == sessions.get() && failure.retry() == RtspException.Retry.AT_ONCE;
      long now = System.nanoTime();
      if (!played || (lastQuietRetry != 0 && now - lastQuietRetry < QUIET_RETRY_EVERY.toNanos())) {
        return false;
      }
      lastQuietRetry = now;
      return true;
    }

    /**
     * Plays one session until it fails or the run stops. Returns true when the next attempt should
     * follow at once (UDP gave nothing and TCP is next).
     */
    private boolean playOnce() throws RtspException {
      fault = null;
      RtspSession.Timeouts timeouts = new RtspSession.Timeouts(timing.connect(), timing.response());
      RtspSession session = RtspSession.describe(url, timeouts, closeable -> inFlight = closeable);
      inFlight = session;
      UdpPorts ports = null;
      try {
        if (!active) {
          return false;
        }
        H264Media media = session.media();
        boolean tryUdp = options.transport() == Transport.UDP || (options.transport() == Transport.AUTO && !udpFailed);
        RtspSession.Transport transport;
        if (tryUdp) {
          try {
            ports = UdpPorts.open();
          } catch (IOException e) {
            throw RtspSession.soon(url.masked() + ": cannot open local UDP ports for RTP: " + e.getMessage());
          }
          udp = ports;
          try {
            transport = session.setup(ports.ports());
          } catch (RtspSession.TransportRefused e) {
            ports.close();
            ports = null;
            udp = null;
            if (options.transport() != Transport.AUTO) {
              throw RtspSession.slowly(e.getMessage() + "; set transport: tcp or auto");
            }
            udpFailed = true;
            log.info("stream {}: {}; falling back to TCP", stream, masked(e.getMessage()));
            transport = setupTcp(session);
          }
        } else {
          transport = setupTcp(session);
        }
        int number = sessions.incrementAndGet();
        decoder.begin(number, media.parameterSets(), media.clockRate());
        RtpReceiver receiver = new RtpReceiver(media.payloadType(), !transport.tcp(), meter,
            unit -> decoder.offer(number, unit));
        int rtpChannel = transport.rtpChannel();
        session.play((channel, payload) -> {
          if (channel == rtpChannel) {
            receiver.packet(payload, 0, payload.length, System.nanoTime());
          }
        });
        if (playedBefore) {
          meter.reconnected();
        }
        playedBefore = true;
        report(SourceState.RUNNING, null, null);
        log.info("stream {}: playing {} over {}", stream, session.where(), transport.tcp() ? "TCP" : "UDP");
        if (transport.tcp()) {
          receiveInterleaved(session, transport, receiver);
          return false;
        }
        return receiveUdp(session, transport, ports, receiver);
      } finally {
        inFlight = null;
        session.close();
        if (ports != null) {
          ports.close();
        }
        udp = null;
      }
    }

    private RtspSession.Transport setupTcp(RtspSession session) throws RtspException {
      try {
        return session.setup(null);
      } catch (RtspSession.TransportRefused e) {
        throw RtspSession.slowly(e.getMessage() + (options.transport() == Transport.AUTO ? " and over UDP"
            : "; set transport: udp or auto"));
      }
    }

    /** Reads interleaved RTP off the RTSP connection until a fault or stop. */
    private void receiveInterleaved(RtspSession session, RtspSession.Transport transport, RtpReceiver receiver)
        throws RtspException {
      RtspConnection connection = session.connection();
      long stallNanos = options.stallTimeout().toNanos();
      Liveness liveness = new Liveness(stallNanos, keepAliveNanos(session), System.nanoTime());
      try {
        connection.readTimeout(options.stallTimeout());
      } catch (IOException e) {
        throw lost(session, e);
      }
      while (active) {
        RtspReader.Message message;
        try {
          message = connection.read();
        } catch (SocketTimeoutException e) {
          throw stalled(session);
        } catch (IOException e) {
          throw lost(session, e);
        }
        long now = System.nanoTime();
        if (message instanceof RtspReader.Frame frame && frame.channel() == transport.rtpChannel()) {
          liveness.media(now);
          receiver.packet(frame.payload(), 0, frame.payload().length, now);
        }
        checkFault();
        if (liveness.stalled(now)) {
          throw stalled(session);
        }
        keepAlive(session, liveness, now);
      }
    }

    /**
     * Receives RTP over UDP until a fault or stop, while a second thread keeps the RTSP session
     * alive. Returns true when UDP stayed silent with {@code transport: auto}, so that TCP follows
     * at once.
     */
    private boolean receiveUdp(RtspSession session, RtspSession.Transport transport, UdpPorts ports,
        RtpReceiver receiver) throws RtspException {
      Control control = new Control(session);
      Thread thread = new Thread(control::run, "rtsp-" + stream + "-control");
      thread.setDaemon(true);
      thread.start();
      InetAddress server = ((InetSocketAddress) session.connection().remote()).getAddress();
      long stallNanos = options.stallTimeout().toNanos();
      long firstWait = options.transport() == Transport.AUTO ? timing.udpWait().toNanos() : stallNanos;
      // Keep-alives are the control thread's; this one watches only for a stall.
      Liveness liveness = new Liveness(stallNanos, Long.MAX_VALUE / 4, System.nanoTime());
      long started = System.nanoTime();
      byte[] buffer = new byte[65536];
      DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
      try {
        while (active) {
          long now = System.nanoTime();
          long held = receiver.release(now);
          long wait = Math.min(liveness.untilNextCheck(now), TimeUnit.MILLISECONDS.toNanos(100));
          if (held >= 0) {
            wait = Math.min(wait, held);
          }
          try {
            ports.rtp().setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
            ports.rtp().receive(datagram);
            now = System.nanoTime();
            if (server.equals(datagram.getAddress())) {
              liveness.media(now);
              receiver.packet(Arrays.copyOf(buffer, datagram.getLength()), 0, datagram.getLength(), now);
            }
          } catch (SocketTimeoutException e) {
            now = System.nanoTime();
          } catch (IOException e) {
            if (!active) {
              return false;
            }
            checkFault();
            throw lost(session, e);
          }
          checkFault();
          if (!liveness.anyMedia() && now - started >= firstWait) {
            if (options.transport() == Transport.AUTO) {
              udpFailed = true;
              log.info("stream {}: no RTP over UDP within {} ms of PLAY; falling back to TCP", stream,
                  timing.udpWait().toMillis());
              return true;
            }
            throw RtspSession.soon(session.where() + ": no RTP arrived over UDP within "
                + options.stallTimeout().toSeconds() + " s of PLAY (a firewall or NAT in the way? try transport: tcp)");
          }
          if (liveness.anyMedia() && liveness.stalled(now)) {
            throw stalled(session);
          }
          long closedAt = control.closedAt;
          if (closedAt != 0 && now - closedAt >= CLOSED_AND_SILENT.toNanos()
              && liveness.silentFor(now) >= CLOSED_AND_SILENT.toNanos()) {
            throw RtspSession.cut(session.where() + ": the camera closed the RTSP connection and stopped sending");
          }
        }
        return false;
      } finally {
        control.end();
        ports.close();
        session.connection().close();
        try {
          thread.join(timing.stopPatience().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * Over UDP the RTSP connection carries only keep-alives and their answers. An RTSP session
     * outlives its connection (RFC 2326), and some servers (VLC) close it while RTP goes on: then
     * each keep-alive goes on a connection of its own. Whether the camera still sends is for the
     * UDP thread to see.
     */
    private final class Control {
      private final RtspSession session;
      private final Object wake = new Object();
      private volatile boolean over;
      /** When the server closed the connection ({@link System#nanoTime}), or 0 while it is open. */
      volatile long closedAt;

      Control(RtspSession session) {
        this.session = session;
      }

      void run() {
        RtspConnection connection = session.connection();
        long interval = keepAliveNanos(session);
        long next = System.nanoTime() + interval;
        boolean open = true;
        while (active && !over) {
          long now = System.nanoTime();
          if (now - next >= 0) {
            keepAlive(open);
            next = System.nanoTime() + interval;
            continue;
          }
          if (!open) {
            synchronized (wake) {
              if (over || !active) {
                return;
              }
              try {
                TimeUnit.NANOSECONDS.timedWait(wake, next - now);
              } catch (InterruptedException e) {
                return;
              }
            }
            continue;
          }
          try {
            connection.readTimeout(Duration.ofMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now))));
            connection.read();
          } catch (SocketTimeoutException e) {
            // Time for the next keep-alive.
          } catch (IOException e) {
            if (!active || over) {
              return;
            }
            open = false;
            closedAt = System.nanoTime() | 1;
            log.debug("stream {}: the camera closed the RTSP connection; the session goes on over UDP", stream);
          }
        }
      }

      private void keepAlive(boolean open) {
        try {
          if (open) {
            session.keepAlive();
          } else {
            session.keepAliveApart(new RtspSession.Timeouts(timing.connect(), timing.response()));
          }
        } catch (IOException | RtspException e) {
          // A keep-alive that fails costs nothing yet: without one the camera stops sending in
          // time, and the UDP thread sees the stall.
          log.debug("stream {}: keep-alive failed: {}", stream, masked(e.getMessage()));
        }
      }

      void end() {
        over = true;
        synchronized (wake) {
          wake.notifyAll();
        }
      }
    }

    private long keepAliveNanos(RtspSession session) {
      return Math.max(TimeUnit.SECONDS.toNanos(1), session.sessionTimeout().toNanos() / 2);
    }

    private void keepAlive(RtspSession session, Liveness liveness, long now) throws RtspException {
      if (liveness.keepAliveDue(now)) {
        try {
          session.keepAlive();
        } catch (IOException e) {
          throw lost(session, e);
        }
      }
    }

    private void checkFault() throws RtspException {
      RtspException found = fault;
      if (found != null) {
        throw found;
      }
    }

    private RtspException stalled(RtspSession session) {
      return RtspSession.soon(session.where() + ": no video from the camera for "
          + options.stallTimeout().toSeconds() + " s (stalled)");
    }

    private RtspException lost(RtspSession session, IOException e) {
      RtspException found = fault;
      if (found != null) {
        return found;
      }
      if (e instanceof java.io.EOFException) {
        return RtspSession.cut(session.where() + ": the camera closed the connection");
      }
      return RtspSession.cut(session.where() + ": connection to the camera lost (" + e.getMessage() + ")");
    }

    /** Waits {@code delay}, or less when stopped or (if {@code probe}) once the camera accepts connections. */
    private void await(Duration delay, boolean probe) {
      long deadline = System.nanoTime() + delay.toNanos();
      long nextProbe = System.nanoTime() + timing.probeEvery().toNanos();
      while (active) {
        long now = System.nanoTime();
        long left = deadline - now;
        if (left <= 0) {
          return;
        }
        if (probe && now - nextProbe >= 0) {
          if (reachable()) {
            log.debug("stream {}: the camera accepts connections again", stream);
            return;
          }
          nextProbe = System.nanoTime() + timing.probeEvery().toNanos();
          continue;
        }
        long sleep = probe ? Math.min(left, Math.max(1, nextProbe - now)) : left;
        synchronized (waits) {
          if (!active) {
            return;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(waits, sleep);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    private boolean reachable() {
      try (Socket socket = new Socket()) {
        inFlight = socket;
        socket.connect(new InetSocketAddress(url.host(), url.port()),
            (int) Math.max(1, Math.min(timing.connect().toMillis(), timing.probeEvery().toMillis())));
        return true;
      } catch (IOException e) {
        return false;
      } finally {
        inFlight = null;
      }
    }

    @Override
    public void picture(int session, int width, int height, double fps) {
      VideoFormat known = format;
      double rate = fps > 0 && fps <= 240 ? fps : known.fps();
      if (known.width() != width || known.height() != height || known.fps() != rate) {
        format = new VideoFormat(width, height, rate);
      }
      if (pictureSession != session) {
        pictureSession = session;
        backoff.reset();
        log.info("stream {}: first picture from the camera, {}x{}", stream, width, height);
      }
    }

    @Override
    public void fault(int session, RtspException reason) {
      if (session != sessions.get()) {
        return;
      }
      fault = new RtspException(url.masked() + ": " + reason.getMessage(), reason.retry());
      abortInFlight();
    }

    /** Updates the state; the listener hears only of changes, so a retry loop does not repeat itself. */
    private void report(SourceState next, String error, Duration retry) {
      String text = error == null ? null : masked(error);
      boolean changed;
      synchronized (lock) {
        if (!active) {
          return;
        }
        changed = next != reported || !java.util.Objects.equals(text, reportedError);
        reported = next;
        reportedError = text;
        state = next;
        lastError = text;
      }
      if (next == SourceState.UNAVAILABLE) {
        // The stream logs each change with its reason; the retry schedule is detail.
        log.debug("stream {}: {}; retrying in {} ms", stream, text, retry.toMillis());
      }
      if (changed) {
        try {
          listener.onStateChange(next, text);
        } catch (RuntimeException e) {
          log.warn("stream {}: state listener failed", stream, e);
        }
      }
    }
  }
}
