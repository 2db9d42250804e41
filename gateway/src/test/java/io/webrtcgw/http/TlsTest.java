package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.config.TlsConfig;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway serves HTTPS and WSS itself, from a PKCS12 keystore or PEM files made here with the
 * JDK's keytool; a client that trusts that self-signed certificate gets pages and signaling.
 */
class TlsTest {
  private static final String PASSWORD = "test-password";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;
  static Path keystore;
  static Certificate certificate;

  @BeforeAll
  static void makeCertificate() throws Exception {
    keystore = dir.resolve("gateway.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed: " + output);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    certificate = store.getCertificate("gateway");
    Key key = store.getKey("gateway", PASSWORD.toCharArray());
    Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
    Files.writeString(dir.resolve("key-rsa.pem"), pem("RSA PRIVATE KEY", pkcs1(key.getEncoded())));
  }

  /** The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: its last element, an OCTET STRING. */
  private static byte[] pkcs1(byte[] pkcs8) {
    int[] at = {0};
    header(pkcs8, at); // SEQUENCE PrivateKeyInfo
    int version = header(pkcs8, at); // INTEGER version
    at[0] += version;
    int algorithm = header(pkcs8, at); // SEQUENCE AlgorithmIdentifier
    at[0] += algorithm;
    int length = header(pkcs8, at); // OCTET STRING
    return java.util.Arrays.copyOfRange(pkcs8, at[0], at[0] + length);
  }

  /** Skips a DER tag and length, returning the length. */
  private static int header(byte[] der, int[] at) {
    at[0]++;
    int first = der[at[0]++] & 0xFF;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7F); i++) {
      length = (length << 8) | (der[at[0]++] & 0xFF);
    }
    return length;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static SSLContext trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("gateway", certificate);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  @Test
  void servesHttpsAndWssFromAPkcs12Keystore() throws Exception {
    checkServes(TlsConfig.of(null, null, keystore.toString(), PASSWORD));
  }

  @Test
  void servesHttpsAndWssFromPemFiles() throws Exception {
    checkServes(TlsConfig.of(dir.resolve("cert.pem").toString(), dir.resolve("key.pem").toString(), null, null));
  }

  @Test
  void servesHttpsFromAPkcs1RsaKey() throws Exception {
    checkServes(TlsConfig.of(dir.resolve("cert.pem").toString(), dir.resolve("key-rsa.pem").toString(), null, null));
  }

  @Test
  void wrongKeystorePasswordIsReportedAtStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestGateway.start(
        TestGateway.config(Limits.DEFAULT, StreamConfig.of("demo", "pattern:320x180@15"))
            .withTls(TlsConfig.of(null, null, keystore.toString(), "not-the-password"))));
    assertTrue(e.getMessage().contains("cannot open keystore"), e.getMessage());
  }

  private static void checkServes(TlsConfig tls) throws Exception {
    try (Gateway gateway = TestGateway.start(
        TestGateway.config(Limits.DEFAULT, StreamConfig.of("demo", "pattern:320x180@15")).withTls(tls))) {
      HttpClient client = HttpClient.newBuilder().sslContext(trusting()).connectTimeout(WAIT).build();
      HttpResponse<String> health = client.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertTrue(health.body().contains("\"ok\""), health.body());

      try (SignalingClient signaling = SignalingClient.connect(client.newWebSocketBuilder(),
          URI.create("wss://127.0.0.1:" + gateway.port() + "/ws/demo"))) {
        assertEquals("demo", signaling.expect("hello", WAIT).path("stream").asText());
      }

      HttpClient untrusting = HttpClient.newBuilder().connectTimeout(WAIT).build();
      assertThrows(SSLHandshakeException.class, () -> untrusting.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
  }
}
