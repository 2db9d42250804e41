package io.webrtcgw.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process's CPU time by the part of it its threads belong to, from /proc/PID/task/TID/stat at
 * one moment: a thread goes to the first part whose name prefixes its own (the kernel keeps 15
 * characters of a name), the rest to {@code other}. CPU over a window is the difference of two.
 */
record ThreadCpu(long nanoTime, Map<String, Long> ticks) {
  /** A part of a process and the thread-name prefixes that make it up. */
  record Part(String name, List<String> prefixes) {}

  /** The gateway's threads: sources, libwebrtc's encoders, and what each connection runs. */
  static final List<Part> GATEWAY = List.of(
      new Part("sources", List.of("pattern-", "stream-", "file-", "mjpeg-", "rtsp-", "camera-", "decoder-")),
      new Part("encoders", List.of("EncoderQueue")),
      new Part("connections", List.of("webrtc_jni_", "session-", "signaling", "XNIO-", "whep-")));

  static ThreadCpu of(long pid, List<Part> parts) throws IOException {
    long now = System.nanoTime();
    Map<String, Long> ticks = new LinkedHashMap<>();
    parts.forEach(part -> ticks.put(part.name(), 0L));
    ticks.put("other", 0L);
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        long used = ProcStat.cpuTicks(stat);
        String part = parts.stream().filter(p -> p.prefixes().stream().anyMatch(name::startsWith))
            .map(Part::name).findFirst().orElse("other");
        ticks.merge(part, used, Long::sum);
      }
    }
    return new ThreadCpu(now, ticks);
  }

  /**
   * Each part's CPU since {@code earlier}, in percent of one core. A thread that ended within the
   * window takes its time with it, so a part can come out a little low, never high.
   */
  Map<String, Double> percentSince(ThreadCpu earlier) {
    double seconds = (nanoTime - earlier.nanoTime) / 1e9;
    Map<String, Double> out = new LinkedHashMap<>();
    ticks.forEach((part, now) -> out.put(part,
        Math.max(0, 100.0 * (now - earlier.ticks.getOrDefault(part, 0L)) / ProcStat.TICKS_PER_SECOND / seconds)));
    return out;
  }
}
