package io.webrtcgw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and resident memory at one moment, from /proc/PID/stat and
 * /proc/PID/status; CPU over a window is the difference of two samples.
 */
record ProcStat(long pid, long nanoTime, long cpuTicks, long rssKiB) {
  /** Kernel clock ticks per second (USER_HZ); 100 on every Linux x86-64 build. */
  static final long TICKS_PER_SECOND = 100;

  static ProcStat of(long pid) throws IOException {
    long now = System.nanoTime();
    long ticks = cpuTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    return new ProcStat(pid, now, ticks, rss);
  }

  /** User plus system time in a /proc/PID/stat (or /proc/PID/task/TID/stat) line, in ticks. */
  static long cpuTicks(String stat) {
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** CPU used since {@code earlier}, in percent of one core. */
  double cpuPercentSince(ProcStat earlier) {
    double seconds = (nanoTime - earlier.nanoTime) / 1e9;
    return 100.0 * (cpuTicks - earlier.cpuTicks) / TICKS_PER_SECOND / seconds;
  }

  /**
   * Every process below {@code root} whose command contains {@code command} (any, if null), by
   * pid; one that ends while being read is left out.
   */
  static java.util.Map<Long, ProcStat> descendants(ProcessHandle root, String command) {
    java.util.Map<Long, ProcStat> out = new java.util.HashMap<>();
    root.descendants().forEach(process -> {
      if (command == null || process.info().command().map(c -> c.contains(command)).orElse(false)) {
        try {
          out.put(process.pid(), of(process.pid()));
        } catch (IOException | RuntimeException e) {
          // it ended meanwhile
        }
      }
    });
    return out;
  }

  /** Every Chromium process this JVM started (through chromedriver), by pid. */
  static java.util.Map<Long, ProcStat> chromium() {
    return descendants(ProcessHandle.current(), "chrom");
  }

  /** CPU of the processes present at both samples, in % of one core. */
  static double cpuPercent(java.util.Map<Long, ProcStat> before, java.util.Map<Long, ProcStat> after) {
    double total = 0;
    for (java.util.Map.Entry<Long, ProcStat> entry : after.entrySet()) {
      ProcStat earlier = before.get(entry.getKey());
      if (earlier != null) {
        total += entry.getValue().cpuPercentSince(earlier);
      }
    }
    return total;
  }

  /** The load average over the last minute, from /proc/loadavg. */
  static double loadAverage() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
