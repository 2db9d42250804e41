package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;

/** What one 720p30 H.264 file stream costs: JCodec's decode speed on one core and the gateway's CPU. */
final class FileSourceCost {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path jar;
  private final Path out;
  private final Path clip;
  private final Duration warmUp;
  private final Duration window;

  FileSourceCost(Path jar, Path out, Path clip, Duration warmUp, Duration window) {
    this.jar = jar;
    this.out = out;
    this.clip = clip;
    this.warmUp = warmUp;
    this.window = window;
  }

  ObjectNode run() {
    return JSON.createObjectNode().put("skipped", "the file source is not wired into this build yet");
  }
}
