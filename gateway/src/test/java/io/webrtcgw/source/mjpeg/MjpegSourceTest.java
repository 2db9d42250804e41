package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.mjpeg.CameraHttpServer.Mode;
import io.webrtcgw.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MJPEG source against a camera on the JDK's HTTP server (on loopback): pictures, faults and
 * their reasons, recovery once the camera behaves, logins, snapshots, and staying live when
 * decoding falls behind.
 */
class MjpegSourceTest {
  private static final String PASSWORD = "s3cret-pw";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final SourceOptions FAST = SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(1));

  private CameraHttpServer camera;
  private MjpegSource source;
  private final BlockingQueue<I420Frame> frames = new LinkedBlockingQueue<>();
  private final List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void startCamera() throws IOException {
    camera = new CameraHttpServer(PASSWORD, 20);
  }

  @AfterEach
  void stopAll() {
    if (source != null) {
      source.close();
    }
    camera.close();
  }

  private MjpegSource start(String url, SourceOptions options, Duration longestRetry) {
    source = new MjpegSource("cam", HttpUrl.parse(url), options, Clock.systemUTC(),
        (SSLSocketFactory) SSLSocketFactory.getDefault(), ImageIoJpegDecoder::new, Duration.ofMillis(200), longestRetry);
    source.start(frames::add, (state, error) -> {
      if (error != null) {
        reasons.add(error);
      }
    });
    return source;
  }

  private MjpegSource start(String url, SourceOptions options) {
    return start(url, options, Duration.ofSeconds(2));
  }

  private I420Frame nextFrame() throws InterruptedException {
    I420Frame frame = frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertNotNull(frame, "a frame within " + WAIT.toSeconds() + " s (state " + source.state() + ", " + source.lastError() + ")");
    return frame;
  }

  private void awaitUnavailable(String reasonPart) {
    Await.until(() -> "unavailable with '" + reasonPart + "', is " + source.state() + ": " + source.lastError(),
        () -> source.state() == SourceState.UNAVAILABLE && source.lastError() != null
            && source.lastError().contains(reasonPart), WAIT);
  }

  private void awaitRecovery() throws InterruptedException {
    frames.clear();
    Await.until(() -> "running again, is " + source.state() + ": " + source.lastError(),
        () -> source.state() == SourceState.RUNNING, WAIT);
    nextFrame();
    assertEquals(null, source.lastError());
  }

  @Test
  void streamsPicturesOverOneConnectionAndCountsThem() throws Exception {
    start(camera.url("/cam"), FAST);
    I420Frame first = nextFrame();
    for (int i = 0; i < 9; i++) {
      nextFrame();
    }
    assertEquals(16, first.height());
    assertTrue(first.arrivalNanos() != 0 && first.arrivalNanos() <= System.nanoTime());
    assertTrue(Math.abs(first.captureTimeMicros() / 1000 - System.currentTimeMillis()) < 5000);
    assertEquals(SourceState.RUNNING, source.state());
    assertEquals("mjpeg", source.kind());
    assertEquals("mjpeg", source.meter().codec());
    assertTrue(source.meter().bytesIn() > 10 * 300, "bytes counted: " + source.meter().bytesIn());
    assertTrue(source.meter().decodes() >= 10);
    assertEquals(1, camera.streamRequests.get(), "one request");
    assertEquals(1, camera.mostOpenStreams.get(), "one connection");
    assertEquals(0, source.meter().reconnects());
  }

  @Test
  void aBrokenBoundaryIsReportedAndTheStreamRecoversWhenTheCameraBehaves() throws Exception {
    camera.mode = Mode.BROKEN_BOUNDARY;
    start(camera.url("/cam"), FAST);
    awaitUnavailable("no boundary '--frame'");
    assertTrue(reasons.get(0).contains("--notframe"), "the reason shows what was found: " + reasons);
    int attempts = camera.streamRequests.get();
    Await.until("a reconnection attempt", () -> camera.streamRequests.get() > attempts, WAIT);
    camera.mode = Mode.STREAM;
    awaitRecovery();
    assertTrue(source.meter().reconnects() >= 1);
  }

  @Test
  void aStallInsideAPartIsReportedAndTheStreamRecovers() throws Exception {
    start(camera.url("/cam"), FAST);
    nextFrame();
    camera.mode = Mode.STALL_MID_PART;
    awaitUnavailable("no data from 127.0.0.1:" + camera.port() + " for 1 s");
    camera.mode = Mode.STREAM;
    awaitRecovery();
    assertEquals(1, source.meter().reconnects());
  }

  @Test
  void aWrongContentTypeSaysWhatItWas() {
    camera.mode = Mode.HTML;
    start(camera.url("/cam"), FAST);
    awaitUnavailable("but the camera sent text/html");
    assertTrue(source.lastError().startsWith("expected an MJPEG stream (multipart/x-mixed-replace) or a JPEG"),
        source.lastError());
  }

  @Test
  void anHttpErrorSaysWhichAndIsRetried() throws Exception {
    camera.mode = Mode.NOT_FOUND;
    start(camera.url("/cam"), FAST);
    awaitUnavailable("the camera answered HTTP 404");
    assertTrue(source.lastError().contains(camera.url("/cam")), source.lastError());
    camera.mode = Mode.STREAM;
    awaitRecovery();
  }

  @Test
  void picturesItCannotDecodeAreNamedWithoutWaitingForAStall() {
    camera.mode = Mode.UNSUPPORTED_JPEG;
    start(camera.url("/cam"), SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(60)));
    awaitUnavailable("the camera sends arithmetic-coded JPEGs, which the gateway cannot decode");
    assertTrue(source.meter().framesDropped() >= 1);
  }

  @Test
  void followsARedirect() throws Exception {
    start(camera.url("/redirect"), FAST);
    nextFrame();
    assertEquals(1, camera.streamRequests.get());
  }

  @Test
  void aRefusedConnectionAndASilentServerAreReported() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    start("http://127.0.0.1:" + closedPort + "/video", FAST);
    awaitUnavailable("cannot connect to 127.0.0.1:" + closedPort + ": connection refused");
    source.close();

    try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      start("http://127.0.0.1:" + silent.getLocalPort() + "/", FAST);
      awaitUnavailable("no data from 127.0.0.1:" + silent.getLocalPort() + " for 1 s");
    }
  }

  @Test
  void basicLoginFromTheUrlWorksAndAWrongOneIsRetriedSlowly() throws Exception {
    start("http://" + CameraHttpServer.USER + ":" + PASSWORD + "@127.0.0.1:" + camera.port() + "/basic", FAST);
    nextFrame();
    source.close();

    start("http://" + CameraHttpServer.USER + ":wrong-" + PASSWORD + "@127.0.0.1:" + camera.port() + "/basic", FAST,
        Duration.ofSeconds(30));
    awaitUnavailable("authentication failed: the camera refused the login of user 'viewer'");
    assertFalse(source.lastError().contains(PASSWORD), source.lastError());
    assertNoMoreRequestsFor(Duration.ofSeconds(3));
  }

  @Test
  void digestLoginFromTheOptionsWorksAndAWrongOneIsRetriedSlowly() throws Exception {
    start(camera.url("/digest"), FAST.withLogin(CameraHttpServer.USER, PASSWORD));
    nextFrame();
    source.close();

    start(camera.url("/digest"), FAST.withLogin(CameraHttpServer.USER, "not-it"), Duration.ofSeconds(30));
    awaitUnavailable("authentication failed: the camera refused the login of user 'viewer'");
    assertEquals(1, camera.refusedLogins.get(), "one wrong answer to the challenge, not a storm");
    assertNoMoreRequestsFor(Duration.ofSeconds(3));
  }

  @Test
  void noLoginConfiguredSaysSo() {
    start(camera.url("/digest"), FAST);
    awaitUnavailable("asks for a login and none is configured");
  }

  /** With a first retry of 200 ms, a storm would send several requests in this time. */
  private void assertNoMoreRequestsFor(Duration quiet) {
    int before = camera.streamRequests.get() + camera.refusedLogins.get();
    AssertionError timedOut = assertThrows(AssertionError.class, () -> Await.until("another request",
        () -> camera.streamRequests.get() + camera.refusedLogins.get() > before, quiet));
    assertTrue(timedOut.getMessage().startsWith("timed out"), timedOut.getMessage());
    assertEquals(SourceState.UNAVAILABLE, source.state());
  }

  @Test
  void aSnapshotUrlIsPolledAtTheConfiguredRate() throws Exception {
    start(camera.url("/snap.jpg"), FAST.withFps(5.0));
    I420Frame first = nextFrame();
    long firstMillis = first.captureTimeMicros() / 1000;
    I420Frame last = first;
    for (int i = 0; i < 10; i++) {
      last = nextFrame();
    }
    double seconds = (last.captureTimeMicros() / 1000 - firstMillis) / 1000.0;
    double fps = 10 / seconds;
    assertTrue(fps > 4 && fps < 6, "polled at " + fps + " per second, configured 5");
    assertEquals("mjpeg", source.kind());
    assertEquals("jpeg", source.meter().codec());
    assertEquals(5.0, source.format().fps());
    assertTrue(camera.snapshotRequests.get() >= 11);
  }

  @Test
  void aSnapshotCameraThatClosesEveryConnectionUnannouncedIsPolledWithoutFaults() throws Exception {
    byte[] jpeg = camera.picture(3);
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread serving = new Thread(() -> {
        while (true) {
          try (Socket socket = server.accept()) {
            connections.incrementAndGet();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                java.nio.charset.StandardCharsets.ISO_8859_1));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
              // the request head
            }
            // HTTP/1.1 and no "Connection: close": the client may think the connection stays.
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: "
                + jpeg.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(jpeg);
          } catch (IOException e) {
            return;
          }
        }
      });
      serving.setDaemon(true);
      serving.start();
      start("http://127.0.0.1:" + server.getLocalPort() + "/snapshot.cgi", FAST.withFps(10.0));
      for (int i = 0; i < 6; i++) {
        nextFrame();
      }
      assertTrue(reasons.isEmpty(), "no fault: " + reasons);
      assertTrue(connections.get() >= 6, connections + " connections");
    }
  }

  @Test
  void whenDecodingFallsBehindTheNewestPictureIsShownAndTheRestCountedAsDropped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> sequence = new java.util.concurrent.CopyOnWriteArrayList<>();
    source = new MjpegSource("cam", HttpUrl.parse(camera.url("/cam")), FAST, Clock.systemUTC(),
        (SSLSocketFactory) SSLSocketFactory.getDefault(), ImageIoJpegDecoder::new, Duration.ofMillis(200),
        Duration.ofSeconds(2));
    source.start(frame -> {
      sequence.add(CameraHttpServer.sequenceOf(frame.width()));
      if (sequence.size() == 1) {
        try {
          // The sink blocks the decoding thread, as a decoder too slow for the camera would.
          assertTrue(release.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, (state, error) -> { });
    Await.until("the first picture", () -> sequence.size() == 1, WAIT);
    long droppedBefore = source.meter().framesDropped();
    int sentBefore = camera.sent();
    Await.until("twelve more pictures sent while decoding is held", () -> camera.sent() >= sentBefore + 12, WAIT);
    release.countDown();
    Await.until("the next picture", () -> sequence.size() >= 2, WAIT);
    int jump = Math.floorMod(sequence.get(1) - sequence.get(0), 200);
    assertTrue(jump >= 8, "the next picture shown is a recent one, not the one after the first: " + sequence);
    assertTrue(source.meter().framesDropped() - droppedBefore >= 7, "dropped " + source.meter().framesDropped());
  }
}
