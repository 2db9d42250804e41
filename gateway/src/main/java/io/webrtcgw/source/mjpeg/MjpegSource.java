package io.webrtcgw.source.mjpeg;

import io.webrtcgw.config.SecretMask;
import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.mjpeg.CameraClient.Response;
import io.webrtcgw.source.mjpeg.MultipartReader.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP camera: an MJPEG stream ({@code multipart/x-mixed-replace} JPEG parts) or, when the URL
 * answers with a single {@code image/jpeg}, a snapshot URL polled at the configured {@code fps}.
 *
 * <p>Two threads per run: one reads the camera over a connection of its own (one per stream,
 * however many watch) and never waits for decoding; one decodes the newest part and hands the
 * frame on at once. A part that arrives before the previous one was decoded replaces it and is
 * counted as dropped, so latency never piles up.
 *
 * <p>Any fault (unreachable, refused, an HTTP error, a wrong content type, a broken boundary, a
 * stall, a reset, a camera restart) makes the stream {@code unavailable} with a one-line reason
 * and is retried after 1 s, doubling to 30 s, and from 1 s again once pictures flow; a refused
 * login waits 30 s. The camera's password never appears in a log line or the reason.
 */
public final class MjpegSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(MjpegSource.class);
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
  /** How often the decoding thread looks at the stall watch while no part arrives. */
  private static final long WATCH_MILLIS = 250;
  /** Before the first picture: a guess that caps no viewer's encoder. */
  private static final VideoFormat UNKNOWN = new VideoFormat(640, 480, 30);

  private final String stream;
  private final HttpUrl url;
  private final SourceOptions options;
  private final Clock clock;
  private final SSLSocketFactory tls;
  private final Supplier<JpegDecoder> decoders;
  private final Duration firstRetry;
  private final Duration longestRetry;
  private final SourceMeter meter = new SourceMeter();
  private final Object lock = new Object();

  // Guarded by lock.
  private Run run;
  private boolean closed;

  private volatile SourceState state = SourceState.IDLE;
  private volatile String lastError;
  private volatile int width;
  private volatile int height;
  private volatile boolean polling;

  public MjpegSource(String stream, HttpUrl url, SourceOptions options, Clock clock, SSLSocketFactory tls) {
    this(stream, url, options, clock, tls, ImageIoJpegDecoder::new, FIRST_RETRY, LONGEST_RETRY);
  }

  MjpegSource(String stream, HttpUrl url, SourceOptions options, Clock clock, SSLSocketFactory tls,
      Supplier<JpegDecoder> decoders, Duration firstRetry, Duration longestRetry) {
    this.stream = stream;
    this.url = url;
    this.options = options;
    this.clock = clock;
    this.tls = tls;
    this.decoders = decoders;
    this.firstRetry = firstRetry;
    this.longestRetry = longestRetry;
    meter.codec("mjpeg");
  }

  @Override
  public String kind() {
    return "mjpeg";
  }

  /**
   * The last picture's size and the rate: for a snapshot URL the polling rate, for a stream the
   * rate the camera sends at, as measured (30 until known, so that no viewer's encoder is capped).
   */
  @Override
  public VideoFormat format() {
    double fps = polling ? pollFps() : meter.measuredFps();
    int w = width;
    int h = height;
    return w == 0 ? (polling ? new VideoFormat(UNKNOWN.width(), UNKNOWN.height(), pollFps()) : UNKNOWN)
        : new VideoFormat(w, h, fps > 0 ? Math.min(240, fps) : UNKNOWN.fps());
  }

  private double pollFps() {
    return options.fps() == null ? 1 : options.fps();
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

  /** The camera's URL as it may be shown: without its password. */
  public String maskedUrl() {
    return url.masked();
  }

  @Override
  public void start(FrameSink sink, SourceListener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("MJPEG source of stream '" + stream + "' is closed");
      }
      if (run != null) {
        return;
      }
      run = new Run(sink, listener);
      run.reader.start();
      run.decoder.start();
    }
  }

  @Override
  public void stop() {
    Run stopping;
    synchronized (lock) {
      stopping = run;
      run = null;
    }
    if (stopping == null) {
      return;
    }
    stopping.end();
    stopping.join();
    synchronized (lock) {
      if (run == null) {
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

  private String mask(String text) {
    return SecretMask.text(text, options.password(), url.password());
  }

  /** One run from start to stop: its threads, its connection and its retry state. */
  private final class Run {
    final FrameSink sink;
    final SourceListener listener;
    final Thread reader;
    final Thread decoder;
    final LatestSlot<Part> parts = new LatestSlot<>();
    final Backoff backoff = new Backoff(firstRetry, longestRetry);
    final StallWatch watch = new StallWatch(clock);
    final Object pause = new Object();
    volatile boolean active = true;
    volatile CameraClient client;
    /** Counts connections, so the decoding thread never ends a newer one than it judged. */
    volatile int attempt;
    /** Why the decoding thread ended the connection of {@link #attempt}, or null. */
    volatile String endedBecause;
    /** That reason is one a quick retry cannot fix (pictures the gateway cannot decode). */
    volatile boolean endedHard;
    volatile boolean flowing;
    volatile boolean lostOnce;
    volatile String reported;
    /** The host and port the current connection reads, after redirects, for messages. */
    volatile HttpUrl reading = url;
    private boolean decoderFailedBefore;

    Run(FrameSink sink, SourceListener listener) {
      this.sink = sink;
      this.listener = listener;
      this.reader = new Thread(this::read, "mjpeg-" + stream);
      this.decoder = new Thread(this::decode, "mjpeg-decode-" + stream);
      reader.setDaemon(true);
      decoder.setDaemon(true);
    }

    void end() {
      active = false;
      CameraClient current = client;
      if (current != null) {
        current.close();
      }
      parts.close();
      synchronized (pause) {
        pause.notifyAll();
      }
    }

    void join() {
      for (Thread thread : new Thread[] {reader, decoder}) {
        try {
          thread.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (thread.isAlive()) {
          log.warn("stream {}: thread {} did not stop within 5 s", stream, thread.getName());
        }
      }
    }

    // ---- the reading thread

    private void read() {
      while (active) {
        CameraClient current = new CameraClient(url, options.username(), options.password(), options.stallTimeout(),
            tls, bytes -> {
              meter.received(bytes);
              watch.bytes();
            });
        client = current;
        endedBecause = null;
        endedHard = false;
        flowing = false;
        attempt++;
        reading = url;
        watch.restart(options.stallTimeout(), Duration.ZERO);
        Duration wait;
        try {
          if (!active) {
            return;
          }
          serve(current);
          wait = failed(new CameraFault("the camera ended the stream"));
        } catch (CameraFault fault) {
          wait = failed(endedByDecoder(fault));
        } catch (IOException e) {
          wait = failed(endedByDecoder(new CameraFault(current.describe(e, reading))));
        } catch (RuntimeException e) {
          log.error("stream {}: MJPEG reader failed unexpectedly", stream, e);
          wait = failed(new CameraFault("unexpected failure reading the camera: " + e));
        } finally {
          current.close();
        }
        if (wait != null) {
          pause(wait);
        }
      }
    }

    /** The decoding thread's reason when it ended the connection, which the failure seen here only follows from. */
    private CameraFault endedByDecoder(CameraFault seen) {
      String ended = endedBecause;
      return ended == null ? seen : new CameraFault(ended, endedHard);
    }

    /** Opens the URL and reads it, as a stream or as snapshots, until a fault or the end. */
    private void serve(CameraClient current) throws CameraFault, IOException {
      Response response = current.get();
      reading = response.url();
      String type = response.head().mediaType();
      PushbackInputStream body = new PushbackInputStream(response.body(), 2);
      if (type.isEmpty() || type.equals("application/octet-stream")) {
        type = sniff(body, type);
      }
      if (type.startsWith("multipart/")) {
        String boundary = ResponseHead.parameter(response.head().header("Content-Type"), "boundary");
        stream(new MultipartReader(body, boundary), response.url());
      } else if (type.equals("image/jpeg") || type.equals("image/jpg") || type.equals("image/pjpeg")) {
        snapshots(current, body);
      } else {
        throw new CameraFault("expected an MJPEG stream (multipart/x-mixed-replace) or a JPEG (image/jpeg) from "
            + response.url().masked() + ", but the camera sent " + type);
      }
    }

    /** Some servers (ffmpeg's own, among them) name no type or a generic one: the first bytes tell. */
    private String sniff(PushbackInputStream body, String declared) throws IOException, CameraFault {
      byte[] first = body.readNBytes(2);
      body.unread(first);
      if (first.length == 2 && first[0] == '-' && first[1] == '-') {
        return "multipart/x-mixed-replace";
      }
      if (first.length == 2 && (first[0] & 0xFF) == 0xFF && (first[1] & 0xFF) == 0xD8) {
        return "image/jpeg";
      }
      throw new CameraFault("expected an MJPEG stream (multipart/x-mixed-replace) or a JPEG (image/jpeg) from "
          + url.masked() + ", but the camera sent " + (declared.isEmpty() ? "no Content-Type" : declared)
          + " and its data is neither");
    }

    private void stream(MultipartReader reader, HttpUrl at) throws IOException {
      polling = false;
      meter.codec("mjpeg");
      log.info("stream {}: reading MJPEG from {}", stream, at.masked());
      Part part;
      while (active && (part = reader.next()) != null) {
        String type = part.contentType();
        if (!type.isEmpty() && !type.startsWith("image/")) {
          continue; // some cameras interleave text parts (motion data, events)
        }
        if (parts.offer(part)) {
          meter.dropped(1);
        }
      }
    }

    private void snapshots(CameraClient current, InputStream firstBody) throws IOException, CameraFault {
      polling = true;
      meter.codec("jpeg");
      Duration interval = Duration.ofNanos(Math.round(1e9 / pollFps()));
      watch.restart(options.stallTimeout(), interval);
      log.info("stream {}: polling the JPEG at {} {} times a second", stream, url.masked(), pollFps());
      long due = System.nanoTime();
      InputStream body = firstBody;
      while (true) {
        byte[] jpeg = body.readNBytes(MultipartReader.MAX_PART + 1);
        long arrived = System.nanoTime();
        if (jpeg.length > MultipartReader.MAX_PART) {
          throw new CameraFault("the camera's JPEG is larger than " + MultipartReader.MAX_PART / (1024 * 1024) + " MB");
        }
        current.release();
        if (parts.offer(new Part(Map.of(), jpeg, arrived))) {
          meter.dropped(1);
        }
        due += interval.toNanos();
        long now = System.nanoTime();
        if (due < now) {
          due = now; // a slow answer delays the next poll; polls never bunch up to catch up
        }
        if (!pauseNanos(due - now)) {
          return;
        }
        if (endedBecause != null) {
          throw new CameraFault(endedBecause, endedHard);
        }
        Response next = current.get();
        String type = next.head().mediaType();
        if (!type.startsWith("image/") && !type.isEmpty() && !type.equals("application/octet-stream")) {
          throw new CameraFault("the snapshot URL " + next.url().masked() + " now answers " + type + " instead of a JPEG");
        }
        body = next.body();
      }
    }

    /** Reports a fault; returns how long to wait before the next attempt, or null when stopping. */
    private Duration failed(CameraFault fault) {
      if (!active) {
        return null;
      }
      lostOnce = true;
      String reason = mask(fault.getMessage());
      Duration wait = fault.slowRetry() ? backoff.failedHard() : backoff.failed();
      if (!reason.equals(reported)) {
        log.warn("stream {}: {}; retrying in {}", stream, reason, CameraClient.seconds(wait));
      } else {
        log.debug("stream {}: {}; retrying in {}", stream, reason, CameraClient.seconds(wait));
      }
      reported = reason;
      lastError = reason;
      setState(SourceState.UNAVAILABLE, reason);
      return wait;
    }

    private void pause(Duration wait) {
      pauseNanos(wait.toNanos());
    }

    /** Waits while active; false when the run was stopped. */
    private boolean pauseNanos(long nanos) {
      long deadline = System.nanoTime() + nanos;
      synchronized (pause) {
        while (active) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return true;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(pause, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      return false;
    }

    // ---- the decoding thread

    private void decode() {
      try (JpegDecoder jpeg = decoders.get()) {
        while (active) {
          Part part = parts.take(WATCH_MILLIS);
          if (part != null) {
            decodeOne(jpeg, part);
          }
          watchStall();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        log.error("stream {}: MJPEG decoding failed unexpectedly", stream, e);
        if (active) {
          lastError = "decoding failed unexpectedly: " + e;
          setState(SourceState.FAILED, lastError);
        }
      }
    }

    private void decodeOne(JpegDecoder jpeg, Part part) {
      int connection = attempt;
      long started = System.nanoTime();
      long captureMicros = TimeUnit.MILLISECONDS.toMicros(clock.millis())
          - TimeUnit.NANOSECONDS.toMicros(started - part.arrivalNanos());
      I420Frame frame;
      try {
        frame = decodeOrSay(jpeg, part, captureMicros);
      } catch (JpegException e) {
        meter.dropped(1);
        String reason = e.getMessage();
        watch.undecodable(reason);
        JpegHeader header = null;
        try {
          header = JpegHeader.parse(part.body());
        } catch (JpegException notEvenAHeader) {
          // the reason above says it
        }
        if (header != null && header.unsupported() != null) {
          endConnection(connection, reason, true);
        } else {
          log.debug("stream {}: a part could not be decoded: {}", stream, reason);
        }
        return;
      }
      meter.decoded(System.nanoTime() - started);
      watch.decoded();
      width = frame.width();
      height = frame.height();
      if (!flowing && connection == attempt) {
        flowing = true;
        backoff.reset();
        if (lostOnce) {
          meter.reconnected();
        }
        if (reported != null) {
          log.info("stream {}: the camera is back ({}x{})", stream, frame.width(), frame.height());
        }
        reported = null;
        lastError = null;
        setState(SourceState.RUNNING, null);
      }
      if (active) {
        try {
          sink.onFrame(frame);
        } catch (RuntimeException e) {
          log.warn("stream {}: handing a frame on failed", stream, e);
        }
      }
    }

    /** A decoder's unexpected exception is one more picture that cannot be decoded, not the thread's end. */
    private I420Frame decodeOrSay(JpegDecoder jpeg, Part part, long captureMicros) throws JpegException {
      try {
        return jpeg.decode(part.body(), captureMicros, part.arrivalNanos());
      } catch (RuntimeException e) {
        if (!decoderFailedBefore) {
          decoderFailedBefore = true;
          log.warn("stream {}: the JPEG decoder failed unexpectedly", stream, e);
        }
        throw new JpegException("the JPEG cannot be decoded: " + e, e);
      }
    }

    private void watchStall() {
      int connection = attempt;
      String stall = watch.stalled();
      if (stall != null) {
        endConnection(connection, stall, false);
      }
    }

    /** Ends the reading thread's connection, if it is still the one judged, giving the reason. */
    private void endConnection(int connection, String reason, boolean hard) {
      CameraClient current = client;
      if (connection != attempt || current == null || endedBecause != null) {
        return;
      }
      endedHard = hard;
      endedBecause = reason;
      current.drop();
    }

    private synchronized void setState(SourceState next, String error) {
      boolean changed = state != next;
      state = next;
      if (changed && active) {
        try {
          listener.onStateChange(next, error);
        } catch (RuntimeException e) {
          log.warn("stream {}: state listener failed", stream, e);
        }
      }
    }
  }
}
