package io.webrtcgw.source;

import io.webrtcgw.source.camera.CameraDevices;
import io.webrtcgw.source.camera.CameraSelector;
import io.webrtcgw.source.camera.CameraSource;
import io.webrtcgw.source.pattern.PatternSource;
import java.time.Clock;

/** Opens the source a stream's URI names. */
public final class SourceFactory {
  private final Clock clock;
  private final CameraDevices cameras;

  public SourceFactory(Clock clock, CameraDevices cameras) {
    this.clock = clock;
    this.cameras = cameras;
  }

  /**
   * Opens the source for {@code streamName}. Problems a person must fix (a missing or unplayable
   * file) are thrown here, so that the command line can report them before serving.
   */
  public VideoSource open(String streamName, String uri) throws SourceException {
    SourceUri parsed;
    try {
      parsed = SourceUri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new SourceException("stream '" + streamName + "': " + e.getMessage());
    }
    return switch (parsed.kind()) {
      case PATTERN -> new PatternSource(streamName, SourceUri.patternFormat(parsed.argument()), clock);
      case FILE -> throw new SourceException("stream '" + streamName + "': file sources are not available yet");
      case CAMERA -> {
        try {
          yield new CameraSource(streamName, CameraSelector.parse(parsed.argument()), cameras, clock,
              CameraSource.RETRY_INTERVAL, CameraSource.STALL_TIMEOUT);
        } catch (IllegalArgumentException e) {
          throw new SourceException("stream '" + streamName + "': " + e.getMessage());
        }
      }
    };
  }
}
