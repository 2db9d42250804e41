package io.webrtcgw.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

class NoSkipOnCiTest {
  /** Run only through the engine below, never on its own: it skips itself. */
  static class SkipsItself {
    @Test
    void needsATool() {
      Assumptions.assumeTrue(false, "needs a tool this machine lacks");
    }
  }

  private static EngineTestKit.Builder run() {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .selectors(selectClass(SkipsItself.class));
  }

  @Test
  void onCiASkipIsAFailure() {
    String before = System.getProperty("gateway.ci");
    System.setProperty("gateway.ci", "true");
    try {
      run().execute().testEvents().assertThatEvents().haveExactly(1,
          event(test("needsATool"), finishedWithFailure(message(m -> m.contains("skipped on CI")))));
    } finally {
      restore(before);
    }
  }

  @Test
  void elsewhereASkipStaysASkip() {
    String before = System.getProperty("gateway.ci");
    System.setProperty("gateway.ci", "false");
    try {
      run().execute().testEvents().assertStatistics(stats -> stats.aborted(1).failed(0));
    } finally {
      restore(before);
    }
  }

  private static void restore(String before) {
    if (before == null) {
      System.clearProperty("gateway.ci");
    } else {
      System.setProperty("gateway.ci", before);
    }
  }
}
