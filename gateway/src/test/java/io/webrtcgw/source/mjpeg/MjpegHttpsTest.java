package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.testing.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https camera with a certificate made by the JDK's keytool at test time: read through a TLS
 * socket factory that trusts it, and refused, saying so, through one that does not.
 */
class MjpegHttpsTest {
  private static final String STORE_PASSWORD = "changeit-test";
  @TempDir
  static Path dir;
  private static SSLContext serverSide;
  private static SSLContext trusting;
  private static CameraHttpServer camera;

  @BeforeAll
  static void makeCertificateAndCamera() throws Exception {
    Path keystore = dir.resolve("camera.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "camera", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=camera", "-ext", "SAN=ip:127.0.0.1",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed: " + output);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, STORE_PASSWORD.toCharArray());
    serverSide = SSLContext.getInstance("TLS");
    serverSide.init(keys.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("camera", store.getCertificate("camera"));
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, trustManagers.getTrustManagers(), null);
    camera = new CameraHttpServer("unused", 20, serverSide);
  }

  @AfterAll
  static void stopCamera() {
    if (camera != null) {
      camera.close();
    }
  }

  private static MjpegSource source(SSLSocketFactory tls, BlockingQueue<I420Frame> frames) {
    MjpegSource source = new MjpegSource("cam", HttpUrl.parse(camera.url("/cam")),
        SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(2)), Clock.systemUTC(), tls, ImageIoJpegDecoder::new,
        Duration.ofMillis(200), Duration.ofSeconds(2));
    source.start(frames::add, (state, error) -> { });
    return source;
  }

  @Test
  void readsAnHttpsCameraWhoseCertificateIsTrusted() throws Exception {
    BlockingQueue<I420Frame> frames = new LinkedBlockingQueue<>();
    try (MjpegSource source = source(trusting.getSocketFactory(), frames)) {
      assertNotNull(frames.poll(10, TimeUnit.SECONDS), "a picture over TLS: " + source.lastError());
      assertEquals(SourceState.RUNNING, source.state());
    }
  }

  @Test
  void anUntrustedCertificateIsReported() {
    BlockingQueue<I420Frame> frames = new LinkedBlockingQueue<>();
    try (MjpegSource source = source((SSLSocketFactory) SSLSocketFactory.getDefault(), frames)) {
      Await.until(() -> "a TLS failure, is " + source.state() + ": " + source.lastError(),
          () -> source.state() == SourceState.UNAVAILABLE && source.lastError() != null
              && source.lastError().equals("TLS with 127.0.0.1:" + camera.port() + " failed: the camera's certificate is not"
                  + " trusted (self-signed? add it to the JVM's trust store)"), Duration.ofSeconds(10));
      assertTrue(frames.isEmpty());
    }
  }
}
