package io.webrtcgw.source;

import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.camera.CameraDevices;
import io.webrtcgw.source.camera.CameraSelector;
import io.webrtcgw.source.camera.CameraSource;
import io.webrtcgw.source.file.FileSource;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.source.mjpeg.HttpUrl;
import io.webrtcgw.source.mjpeg.MjpegSource;
import io.webrtcgw.source.pattern.PatternSource;
import io.webrtcgw.source.rtsp.RtspSource;
import io.webrtcgw.source.rtsp.RtspUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import javax.net.ssl.SSLSocketFactory;

/** Opens the source a stream's URI names. */
public final class SourceFactory implements SourceOpener {
  private final Clock clock;
  private final CameraDevices cameras;
  private final StreamDecoder.Factory decoders;

  /** @param decoders where H.264 is decoded (a {@link io.webrtcgw.source.h264.DecoderSandbox}) */
  public SourceFactory(Clock clock, CameraDevices cameras, StreamDecoder.Factory decoders) {
    this.clock = clock;
    this.cameras = cameras;
    this.decoders = decoders;
  }

  @Override
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
          FileSource.Options.DEFAULT.withLoop(stream.loop()), clock, decoders);
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
          yield new RtspSource(streamName, RtspUrl.parse(parsed.argument()), stream.options(), clock, decoders);
        } catch (IllegalArgumentException e) {
          throw new SourceException("stream '" + streamName + "': " + e.getMessage());
        }
      }
      case HTTP -> {
        try {
          yield new MjpegSource(streamName, HttpUrl.parse(parsed.argument()), stream.options(), clock,
              (SSLSocketFactory) SSLSocketFactory.getDefault());
        } catch (IllegalArgumentException e) {
          throw new SourceException("stream '" + streamName + "': " + e.getMessage());
        }
      }
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
