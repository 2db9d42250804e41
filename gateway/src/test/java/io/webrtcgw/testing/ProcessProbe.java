package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads a process's thread count, open files and resident memory from /proc. */
public final class ProcessProbe {
  private ProcessProbe() {}

  public static int threads() {
    return Thread.getAllStackTraces().size();
  }

  /** Native threads too (libwebrtc's), from /proc/self/status. */
  public static int nativeThreads() throws IOException {
    return nativeThreads("self");
  }

  public static int openFiles() throws IOException {
    return openFiles("self");
  }

  public static long residentKiB() throws IOException {
    return residentKiB("self");
  }

  /** Threads of process {@code pid} ("self" for this one). */
  public static int nativeThreads(String pid) throws IOException {
    return (int) statusField(pid, "Threads:");
  }

  public static int openFiles(String pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
      return (int) fds.count();
    }
  }

  public static long residentKiB(String pid) throws IOException {
    return statusField(pid, "VmRSS:");
  }

  private static long statusField(String pid, String name) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc", pid, "status"));
    for (String line : lines) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no " + name + " in /proc/" + pid + "/status");
  }
}
