package io.webrtcgw.source.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private static final Credentials MUFASA = new Credentials("Mufasa", "Circle Of Life");

  private static String param(String header, String name) {
    Matcher m = Pattern.compile(name + "=\"?([^\",]*)\"?").matcher(header);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void rfc2617DigestWithQopAuth() throws Exception {
    Authenticator auth = new Authenticator(MUFASA, () -> "0a4f113b");
    assertTrue(auth.challenged(List.of("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
        + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")));
    String header = auth.header("GET", "/dir/index.html");
    assertEquals("6629fae49393a05397450978507c4ef1", param(header, "response"), header);
    assertEquals("00000001", param(header, "nc"));
    assertEquals("5ccc069c403ebaf9f0171e9517f40e41", param(header, "opaque"));
    assertEquals("00000002", param(auth.header("GET", "/dir/index.html"), "nc"), "the nonce count goes up");
  }

  @Test
  void rfc7616DigestPrefersSha256OverMd5() throws Exception {
    Authenticator auth = new Authenticator(new Credentials("Mufasa", "Circle of Life"),
        () -> "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
    String common = "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
        + "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    auth.challenged(List.of("Digest " + common + ", algorithm=MD5", "Digest " + common + ", algorithm=SHA-256"));
    String header = auth.header("GET", "/dir/index.html");
    assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", param(header, "response"), header);
  }

  @Test
  void digestWithoutQopAsLive555AndCamerasSendIt() throws Exception {
    Authenticator auth = new Authenticator(new Credentials("admin", "12345"));
    auth.challenged(List.of("Digest realm=\"LIVE555 Streaming Media\", nonce=\"4cb4d54fbc0f4d6c\""));
    String header = auth.header("DESCRIBE", "rtsp://10.0.0.2/live");
    // Computed with md5sum: MD5(MD5(admin:LIVE555 Streaming Media:12345):4cb4d54fbc0f4d6c:MD5(DESCRIBE:rtsp://10.0.0.2/live))
    assertEquals("a2f4e545ee7ff83784cd21eff37c870a", param(header, "response"), header);
    assertNull(param(header, "nc"));
  }

  @Test
  void basicWhenThatIsAllThereIs() throws Exception {
    Authenticator auth = new Authenticator(new Credentials("Aladdin", "open sesame"));
    assertNull(auth.header("OPTIONS", "rtsp://h/"));
    auth.challenged(List.of("Basic realm=\"cam\""));
    assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", auth.header("OPTIONS", "rtsp://h/"));
  }

  @Test
  void aSecondChallengeMeansTheLoginWasRefusedUnlessTheNonceWasStale() throws Exception {
    Authenticator auth = new Authenticator(MUFASA);
    String challenge = "Digest realm=\"r\", nonce=\"n1\"";
    assertTrue(auth.challenged(List.of(challenge)));
    assertFalse(auth.challenged(List.of(challenge)), "the same login refused again");
    assertTrue(auth.challenged(List.of("Digest realm=\"r\", nonce=\"n2\", stale=true")));
  }

  @Test
  void refusalsSayWhy() {
    Authenticator none = new Authenticator(null);
    Authenticator.AuthenticationException e = assertThrows(Authenticator.AuthenticationException.class,
        () -> none.challenged(List.of("Basic realm=\"x\"")));
    assertTrue(e.getMessage().contains("none is configured"), e.getMessage());
    Authenticator auth = new Authenticator(MUFASA);
    e = assertThrows(Authenticator.AuthenticationException.class,
        () -> auth.challenged(List.of("Negotiate abc", "NTLM")));
    assertTrue(e.getMessage().contains("unsupported scheme: Negotiate; NTLM"), e.getMessage());
  }

  @Test
  void credentialsNeverPrintThePassword() {
    assertFalse(MUFASA.toString().contains("Circle"));
  }

  @Test
  void challengesParseWithCommasQuotesAndSeveralPerHeader() {
    List<Challenge> parsed = Challenge.parse(List.of(
        "Basic realm=\"a, b\", Digest realm=\"c\", nonce=\"d\\\"e\", qop=\"auth\"", "Newauth   realm=apps, type=1"));
    assertEquals(3, parsed.size());
    assertEquals("basic", parsed.get(0).scheme());
    assertEquals("a, b", parsed.get(0).param("realm"));
    assertEquals("d\"e", parsed.get(1).param("nonce"));
    assertEquals("apps", parsed.get(2).param("realm"));
    assertEquals("1", parsed.get(2).param("type"));
    assertEquals(List.of(), Challenge.parse(List.of("", "   ", "=\"")));
  }
}
