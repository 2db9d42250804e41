package io.webrtcgw.source.rtsp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A loopback TCP server for unit tests of the client's side of RTSP: answers each request with
 * what a script returns (null: no answer at all), and records the requests. Not a camera: the
 * tests that play video use real servers.
 */
final class ScriptedServer implements AutoCloseable {
  /** One request as received: method, URI and headers (names in lower case). */
  record Request(String method, String uri, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final ServerSocket socket;
  private final Function<Request, String> script;
  private final List<Request> requests = new ArrayList<>();
  private final List<Socket> accepted = new ArrayList<>();
  private final Thread thread;
  private int connections;

  ScriptedServer(Function<Request, String> script) throws IOException {
    this.socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    this.script = script;
    this.thread = new Thread(this::serve, "scripted-rtsp-server");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  String url(String path) {
    return "rtsp://127.0.0.1:" + port() + path;
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  synchronized int connections() {
    return connections;
  }

  private void serve() {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      synchronized (this) {
        connections++;
        accepted.add(client);
      }
      Thread handler = new Thread(() -> handle(client), "scripted-rtsp-client");
      handler.setDaemon(true);
      handler.start();
    }
  }

  private void handle(Socket client) {
    try (client) {
      BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = client.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          continue;
        }
        String[] start = line.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        String header;
        while ((header = in.readLine()) != null && !header.isEmpty()) {
          int colon = header.indexOf(':');
          headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        Request request = new Request(start[0], start.length > 1 ? start[1] : "", headers);
        synchronized (this) {
          requests.add(request);
        }
        String answer = script.apply(request);
        if (answer != null) {
          out.write(answer.replace("$CSEQ", headers.getOrDefault("cseq", "0")).getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  /** A response with CSeq filled in, {@code headers} as "Name: value" lines, and an optional body. */
  static String response(String status, String body, String... headers) {
    StringBuilder out = new StringBuilder("RTSP/1.0 ").append(status).append("\r\nCSeq: $CSEQ\r\n");
    for (String header : headers) {
      out.append(header).append("\r\n");
    }
    if (body != null) {
      out.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
    } else {
      out.append("\r\n");
    }
    return out.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    synchronized (this) {
      for (Socket client : accepted) {
        client.close();
      }
    }
  }
}
