package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads this process's thread count, open files and resident memory from /proc. */
public final class ProcessProbe {
  private ProcessProbe() {}

  public static int threads() {
    return Thread.getAllStackTraces().size();
  }

  /** Native threads too (libwebrtc's), from /proc/self/status. */
  public static int nativeThreads() throws IOException {
    return (int) statusField("Threads:");
  }

  public static int openFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    }
  }

  public static long residentKiB() throws IOException {
    return statusField("VmRSS:");
  }

  private static long statusField(String name) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
    for (String line : lines) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no " + name + " in /proc/self/status");
  }
}
