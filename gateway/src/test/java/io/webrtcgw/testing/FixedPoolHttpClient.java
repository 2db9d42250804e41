package io.webrtcgw.testing;

import java.net.http.HttpClient;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * HTTP clients for tests that count threads: the default executor of {@code java.net.http} starts
 * and retires workers as requests come, which such tests would see. These run on two prestarted
 * daemon threads that exist from the first use on.
 */
final class FixedPoolHttpClient {
  private FixedPoolHttpClient() {}

  /** A client builder whose work runs on two threads named {@code threadName}. */
  static HttpClient.Builder builder(String threadName) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    pool.prestartAllCoreThreads();
    return HttpClient.newBuilder().executor(pool);
  }
}
