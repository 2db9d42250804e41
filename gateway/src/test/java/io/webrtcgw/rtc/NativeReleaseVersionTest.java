package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** NativeRelease's reflected release applies to one webrtc-java version, and refuses any other loudly. */
class NativeReleaseVersionTest {
  @Test
  void theClassPathHoldsTheVersionItWasWrittenFor() {
    assertEquals(NativeRelease.FOR_VERSION, NativeRelease.webrtcJavaVersion());
    assertDoesNotThrow(() -> NativeRelease.checkVersion());
  }

  @Test
  void anotherVersionIsRefusedWithWhatToDo() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeRelease.checkVersion("0.15.0"));
    assertTrue(e.getMessage().contains("webrtc-java 0.15.0") && e.getMessage().contains("review rtc/NativeRelease"),
        e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> NativeRelease.checkVersion(null));
    assertTrue(e.getMessage().contains("unknown version"), e.getMessage());
  }
}
