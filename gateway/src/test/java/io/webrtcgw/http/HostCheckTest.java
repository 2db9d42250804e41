package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a page of {@code evil.example} whose name is made to resolve to the gateway's
 * address sends requests whose {@code Host} (and {@code Origin}) is {@code evil.example}. The
 * gateway answers only its own names, its addresses, {@code publicUrl}'s host and
 * {@code allowedHosts}; anything else gets 421 and no session.
 */
class HostCheckTest {
  /** A raw HTTP/1.1 request, since java.net.http will not send a Host of our choosing. */
  private static String request(int port, String method, String path, String host, String... headers) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(5000);
      StringBuilder out = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      for (String header : headers) {
        out.append(header).append("\r\n");
      }
      out.append("Connection: close\r\n\r\n");
      OutputStream stream = socket.getOutputStream();
      stream.write(out.toString().getBytes(StandardCharsets.US_ASCII));
      stream.flush();
      // The head only: a socket upgraded to a WebSocket stays open after it.
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        head.append((char) b);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          break;
        }
      }
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
      if (length.find()) {
        head.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
      }
      return head.toString();
    }
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String upgrade(int port, String host, String origin) throws Exception {
    return request(port, "GET", "/ws/demo", host, "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "Origin: " + origin);
  }

  @Test
  void byDefaultOnlyAddressesLocalhostAndTheMachinesNamesAreAnswered() throws Exception {
    try (Gateway gateway = TestGateway.start(StreamConfig.of("demo", "pattern:320x180@15"))) {
      int port = gateway.port();
      assertEquals(200, status(request(port, "GET", "/healthz", "127.0.0.1:" + port)));
      assertEquals(200, status(request(port, "GET", "/healthz", "localhost:" + port)));
      assertEquals(200, status(request(port, "GET", "/healthz", "[::1]:" + port)));
      assertEquals(200, status(request(port, "GET", "/healthz", java.net.InetAddress.getLocalHost().getHostName())));
      String refused = request(port, "GET", "/api/streams", "evil.example:" + port);
      assertEquals(421, status(refused), refused);
      assertTrue(refused.contains("unknown-host") && refused.contains("allowedHosts"), refused);

      // The rebinding page's WebSocket: its Origin matches its Host, which once passed as "own".
      String upgrade = upgrade(port, "evil.example:" + port, "http://evil.example:" + port);
      assertEquals(421, status(upgrade), upgrade);
      assertEquals(0, gateway.sessions().count());
      assertEquals(421, status(request(port, "POST", "/whep/demo", "evil.example:" + port,
          "Content-Type: application/sdp", "Content-Length: 0")));
      assertEquals(101, status(upgrade(port, "127.0.0.1:" + port, "http://127.0.0.1:" + port)),
          "the gateway's own page still opens its socket");
    }
  }

  @Test
  void publicUrlAndAllowedHostsAreAnsweredAndNothingElse() throws Exception {
    var config = TestGateway.config(Limits.DEFAULT, StreamConfig.of("demo", "pattern:320x180@15"))
        .withPublicUrl("https://gw.example.net")
        .withAllowedHosts(List.of("cams.example.org", "*.lan.example"))
        .withAllowedOrigins(List.of("https://dashboard.example.org"));
    try (Gateway gateway = TestGateway.start(config)) {
      int port = gateway.port();
      assertEquals(200, status(request(port, "GET", "/healthz", "gw.example.net")));
      assertEquals(200, status(request(port, "GET", "/healthz", "cams.example.org:" + port)));
      assertEquals(200, status(request(port, "GET", "/healthz", "tv.lan.example")));
      assertEquals(421, status(request(port, "GET", "/healthz", "lan.example.evil.example")));
      assertEquals(421, status(request(port, "GET", "/healthz", "example.org")));
      // Behind its proxy, the gateway's public origin opens the socket though allowedOrigins does not list it.
      assertEquals(101, status(upgrade(port, "gw.example.net", "https://gw.example.net")));
      assertEquals(403, status(upgrade(port, "gw.example.net", "https://elsewhere.example")));
    }
  }

  @Test
  void anyHostWhenAllowedHostsSaysSo() throws Exception {
    var config = TestGateway.config(Limits.DEFAULT, StreamConfig.of("demo", "pattern:320x180@15"))
        .withAllowedHosts(List.of("*"));
    try (Gateway gateway = TestGateway.start(config)) {
      assertEquals(200, status(request(gateway.port(), "GET", "/healthz", "anything.example")));
    }
  }
}
