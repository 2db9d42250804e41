package io.webrtcgw.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** GETs the gateway's JSON API on loopback. */
public final class HttpProbe {
  /**
   * With a fixed, prestarted pool (as {@link SignalingClient} has): the default executor starts
   * and retires workers as requests come, which tests that count threads would see.
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .executor(fixedPool()).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpProbe() {}

  private static ThreadPoolExecutor fixedPool() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
      Thread thread = new Thread(runnable, "http-probe");
      thread.setDaemon(true);
      return thread;
    });
    pool.prestartAllCoreThreads();
    return pool;
  }

  public static JsonNode json(int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5))
        .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The session count that {@code /healthz} reports. */
  public static int sessions(int port) {
    return json(port, "/healthz").path("sessions").asInt(-1);
  }
}
