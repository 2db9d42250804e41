package io.webrtcgw;

import io.webrtcgw.config.CommandLine;
import io.webrtcgw.config.ConfigException;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.camera.CameraSelector;
import io.webrtcgw.source.camera.NativeCameraDevices;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Command-line entry: parse, wire, serve until SIGTERM or Ctrl-C, then shut down gracefully. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    PrintStream err = System.err;
    CommandLine commandLine;
    try {
      commandLine = CommandLine.parse(args);
    } catch (ConfigException e) {
      err.println("gateway: " + e.getMessage());
      System.exit(2);
      return;
    }
    switch (commandLine.action()) {
      case HELP -> {
        System.out.println(CommandLine.USAGE);
        return;
      }
      case LIST_CAMERAS -> {
        System.out.println(CameraSelector.listing(new NativeCameraDevices().list()));
        return;
      }
      case SERVE -> { }
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(commandLine.config(), Clock.systemUTC());
    } catch (SourceException e) {
      err.println("gateway: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      err.println("gateway: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // The fallback for every other way the JVM ends (System.exit elsewhere, SIGHUP): the JVM's
    // own exit code then stands, e.g. 143 after a signal the handler below does not catch.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "shutdown"));
    stopOnSignal("TERM", gateway);
    stopOnSignal("INT", gateway);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A stop asked for by SIGTERM (systemd, docker, Kubernetes) or Ctrl-C is the normal end of a
   * service, so it exits 0 after the graceful close. Left to the JVM's default handling it would
   * run only the shutdown hook and exit 128+signal, which supervisors report as a failure.
   */
  private static void stopOnSignal(String name, Gateway gateway) {
    try {
      Signal.handle(new Signal(name), signal -> {
        log.info("SIG{} received: shutting down", signal.getName());
        gateway.close();
        System.exit(0);
      });
    } catch (IllegalArgumentException e) {
      // The JVM reserves the signal (e.g. -Xrs); the shutdown hook still closes the gateway.
      log.warn("cannot handle SIG{}: {}", name, e.getMessage());
    }
  }
}
