package io.webrtcgw.source;

import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.camera.CameraDevices;
import io.webrtcgw.source.camera.CameraSelector;
import io.webrtcgw.source.camera.CameraSource;
import io.webrtcgw.source.file.FileSource;
import io.webrtcgw.source.pattern.PatternSource;
import io.webrtcgw.source.rtsp.RtspSource;
import io.webrtcgw.source.rtsp.RtspUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
   * Opens the source of {@code stream}. Problems a person must fix (a missing or unplayable file)
   * are thrown here, so that the command line can report them before serving.
   */
  public VideoSource open(StreamConfig stream) throws SourceException {
    String streamName = stream.name();
    SourceUri parsed;
    try {
      parsed = SourceUri.parse(stream.source());
    } catch (IllegalArgumentException e) {
      throw new SourceException("stream '" + streamName + "': " + e.getMessage());
    }
    return switch (parsed.kind()) {
      case PATTERN -> new PatternSource(streamName, SourceUri.patternFormat(parsed.argument()), clock);
      case FILE -> FileSource.open(streamName, resolve(parsed.argument()),
          FileSource.Options.DEFAULT.withLoop(stream.loop()), clock);
      case CAMERA -> {
        try {
          yield new CameraSource(streamName, CameraSelector.parse(parsed.argument()), cameras, clock,
              CameraSource.RETRY_INTERVAL, CameraSource.STALL_TIMEOUT);
        } catch (IllegalArgumentException e) {
          throw new SourceException("stream '" + streamName + "': " + e.getMessage());
        }
      }
      case RTSP -> {
        try {
          yield new RtspSource(streamName, RtspUrl.parse(parsed.argument()), stream.options(), clock);
        } catch (IllegalArgumentException e) {
          throw new SourceException("stream '" + streamName + "': " + e.getMessage());
        }
      }
      case HTTP -> throw new SourceException("stream '" + streamName + "': http sources are not built yet");
    };
  }

  /**
   * A relative path that does not exist here may name a file bundled in the gateway's jar (the demo
   * clip under {@code samples/}); that copy is extracted once to a temporary file, so the default
   * stream plays wherever the jar is started from.
   */
  private static Path resolve(String file) throws SourceException {
    Path path = Path.of(file);
    if (Files.exists(path) || path.isAbsolute()) {
      return path;
    }
    String resource = path.normalize().toString().replace('\\', '/');
    try (InputStream in = SourceFactory.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return path;
      }
      String name = path.getFileName().toString();
      Path copy = Files.createTempFile("gateway-", "-" + name);
      copy.toFile().deleteOnExit();
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      return copy;
    } catch (IOException e) {
      throw new SourceException(file + ": cannot extract the bundled copy: " + e.getMessage());
    }
  }
}
