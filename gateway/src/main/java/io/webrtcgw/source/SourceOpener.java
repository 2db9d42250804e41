package io.webrtcgw.source;

import io.webrtcgw.config.StreamConfig;

/** Opens the source of a stream; {@link SourceFactory} outside tests. */
@FunctionalInterface
public interface SourceOpener {
  /**
   * Opens the source of {@code stream}. Problems a person must fix (a missing or unplayable file)
   * are thrown here, so that the command line can report them before serving.
   */
  VideoSource open(StreamConfig stream) throws SourceException;
}
