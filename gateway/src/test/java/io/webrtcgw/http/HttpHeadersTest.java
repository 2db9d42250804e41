package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MIME types, caching, CORS and the security headers embedding depends on. */
class HttpHeadersTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestGateway.config(Limits.DEFAULT, StreamConfig.of("demo", "pattern:320x180@15"))
        .withFrameAncestors("'self' https://parent.example"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path));
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("");
  }

  @Test
  void staticFilesHaveTheirTypeAndRevalidate() throws Exception {
    for (String[] file : new String[][] {
        {"/web/player.js", "text/javascript; charset=utf-8"},
        {"/web/gateway-player.js", "text/javascript; charset=utf-8"},
        {"/web/style.css", "text/css; charset=utf-8"},
        {"/web/embed.html", "text/html; charset=utf-8"}}) {
      HttpResponse<String> first = send(request(file[0]));
      assertEquals(200, first.statusCode(), file[0]);
      assertEquals(file[1], header(first, "Content-Type"), file[0]);
      assertEquals("nosniff", header(first, "X-Content-Type-Options"));
      assertEquals("*", header(first, "Access-Control-Allow-Origin"), "other sites import the module");
      assertTrue(header(first, "Cache-Control").contains("max-age="), header(first, "Cache-Control"));
      String etag = header(first, "ETag");
      assertTrue(etag.startsWith("\""), "ETag: " + etag);
      assertFalse(header(first, "Last-Modified").isEmpty());

      HttpResponse<String> again = send(request(file[0]).header("If-None-Match", etag));
      assertEquals(304, again.statusCode());
      assertEquals("", again.body());
      HttpResponse<String> since = send(request(file[0]).header("If-Modified-Since", header(first, "Last-Modified")));
      assertEquals(304, since.statusCode());
    }
  }

  @Test
  void pathsOutsideWebAreNotServed() throws Exception {
    assertEquals(404, send(request("/web/../logback.xml")).statusCode());
    assertEquals(404, send(request("/web/%2e%2e/logback.xml")).statusCode());
    assertEquals(404, send(request("/web/nope.js")).statusCode());
    assertEquals(404, send(request("/web/")).statusCode());
  }

  @Test
  void pagesCarryFrameAncestorsAndNosniff() throws Exception {
    for (String path : new String[] {"/embed/demo?muted=1&fit=cover", "/view/demo", "/"}) {
      HttpResponse<String> page = send(request(path));
      assertEquals(200, page.statusCode(), path);
      assertEquals("text/html; charset=utf-8", header(page, "Content-Type"));
      assertEquals("frame-ancestors 'self' https://parent.example", header(page, "Content-Security-Policy"));
      assertEquals("nosniff", header(page, "X-Content-Type-Options"));
      assertEquals("no-referrer", header(page, "Referrer-Policy"));
    }
    assertEquals(404, send(request("/embed/nosuch")).statusCode());
  }

  @Test
  void corsPreflightIsAnswered() throws Exception {
    HttpResponse<String> preflight = send(request("/api/streams")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://parent.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization"));
    assertEquals(204, preflight.statusCode());
    assertEquals("*", header(preflight, "Access-Control-Allow-Origin"));
    assertTrue(header(preflight, "Access-Control-Allow-Headers").contains("Authorization"));
    assertEquals("*", header(send(request("/api/streams")), "Access-Control-Allow-Origin"));
  }
}
