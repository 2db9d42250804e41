package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** Reads a process's thread count, open files and resident memory from /proc. */
public final class ProcessProbe {
  private ProcessProbe() {}

  /**
   * Java threads of this JVM, leaving out the JDK's shared ones that CompletableFuture starts on
   * first use: the common ForkJoinPool's workers (which come with load and retire after a minute
   * idle) and the one timer thread behind {@code orTimeout}. They say nothing about a leak.
   */
  public static int threads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> !jdkShared(thread.getName()))
        .count();
  }

  /** The names of this JVM's threads, sorted, for a failure message. */
  public static String threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList().toString();
  }

  /**
   * Whether a thread is one of the JDK's shared ones, by its name as Java gives it or as /proc
   * does (cut to 15 characters).
   */
  private static boolean jdkShared(String name) {
    return name.startsWith("ForkJoinPool.co") || name.startsWith("CompletableFutu");
  }

  /** Native threads too (libwebrtc's), from /proc, without the JDK's shared ones. */
  public static int nativeThreads() throws IOException {
    return nativeThreads("self");
  }

  public static int openFiles() throws IOException {
    return openFiles("self");
  }

  public static long residentKiB() throws IOException {
    return residentKiB("self");
  }

  /**
   * Threads of process {@code pid} ("self" for this one), from /proc, leaving out the JDK's shared
   * ones as {@link #threads()} does (a thread's name there is cut to 15 characters).
   */
  public static int nativeThreads(String pid) throws IOException {
    return (int) nativeThreadNames(pid).stream().filter(name -> !jdkShared(name)).count();
  }

  /** The names of the threads of process {@code pid}, sorted, for a failure message. */
  public static List<String> nativeThreadNames(String pid) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks.toList()) {
        try {
          names.add(Files.readString(task.resolve("comm")).strip());
        } catch (NoSuchFileException ended) {
          // the thread ended while the list was read
        }
      }
    }
    Collections.sort(names);
    return names;
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
