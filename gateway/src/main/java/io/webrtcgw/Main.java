package io.webrtcgw;

import io.webrtcgw.config.CommandLine;
import io.webrtcgw.config.ConfigException;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.camera.CameraSelector;
import io.webrtcgw.source.camera.NativeCameraDevices;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** Command-line entry: parse, wire, serve until SIGTERM or Ctrl-C, then shut down gracefully. */
public final class Main {
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
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
