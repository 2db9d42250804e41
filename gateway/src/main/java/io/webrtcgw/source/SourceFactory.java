package io.webrtcgw.source;

import io.webrtcgw.source.pattern.PatternSource;
import java.time.Clock;

/** Opens the source a stream's URI names. */
public final class SourceFactory {
  private final Clock clock;

  public SourceFactory(Clock clock) {
    this.clock = clock;
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
      case CAMERA -> throw new SourceException("stream '" + streamName + "': camera sources are not available yet");
    };
  }
}
