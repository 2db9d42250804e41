package io.webrtcgw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The whole machine's CPU time at one moment, from the first line of /proc/stat. */
record MachineStat(long busyTicks, long totalTicks) {
  static MachineStat now() throws IOException {
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    // user nice system idle iowait irq softirq steal; guest time is already inside user.
    for (int i = 1; i <= Math.min(8, cpu.length - 1); i++) {
      total += Long.parseLong(cpu[i]);
    }
    long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
    return new MachineStat(total - idle, total);
  }

  /** Busy time of all cores since {@code earlier}, in percent of one core (2 cores: up to 200). */
  double busyPercentSince(MachineStat earlier, int cores) {
    long total = totalTicks - earlier.totalTicks;
    return total == 0 ? 0 : 100.0 * cores * (busyTicks - earlier.busyTicks) / total;
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String cpuModel() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
    for (String line : lines) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }
}
