package io.webrtcgw.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dashboards stay open for days: 8 viewers for 2 hours (as the gateway runs, from its own process,
 * with its statistics polling and scraped metrics), and the gateway's memory outside its Java
 * heap may grow by at most 5 MB an hour. Tagged {@code soak}: run it with
 * {@code mvn -B -ntp test -Dsurefire.excludedGroups= -Dgroups=soak -Dtest=LongSessionMemoryTest}.
 * The benchmark's {@code soak} part runs the same for 20 minutes.
 */
@Tag("soak")
class LongSessionMemoryTest {
  private static final double MAX_MIB_PER_HOUR = 5 * 1e6 / (1 << 20);

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 150, unit = java.util.concurrent.TimeUnit.MINUTES)
  void eightViewersForTwoHoursGrowLessThanFiveMegabytesAnHour() throws Exception {
    MemorySoak.Result result = MemorySoak.run(null, dir, 8, Duration.ofHours(2), Duration.ofMinutes(1),
        Duration.ofMinutes(10));
    System.out.println("SOAK " + MemorySoak.toJson(result, 8, Duration.ofHours(2)));
    assertEquals(8, result.viewersAtEnd(), "every viewer stayed");
    assertTrue(result.slopeMiBPerHour() <= MAX_MIB_PER_HOUR,
        "memory outside the heap grew " + result.slopeMiBPerHour() + " MiB per hour");
  }
}
