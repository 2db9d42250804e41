package io.webrtcgw.source;

import io.webrtcgw.config.SecretMask;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed stream source URI: {@code pattern:[WxH@FPS]}, {@code file:PATH}, {@code
 * camera:[NAME|INDEX]}, {@code rtsp://...} (an IP camera) or {@code http(s)://...} (an MJPEG
 * stream or a JPEG snapshot URL). For the network kinds the argument is the whole URI.
 */
public record SourceUri(Kind kind, String argument) {
  private static final Pattern SIZE_RATE = Pattern.compile("(\\d{1,5})x(\\d{1,5})(?:@(\\d{1,3}(?:\\.\\d{1,3})?))?");

  /** Kinds of source the gateway knows. */
  public enum Kind {
    PATTERN,
    FILE,
    CAMERA,
    /** An RTSP camera: {@code rtsp://[user:password@]host[:port]/path[?query]}. */
    RTSP,
    /** An HTTP camera: an MJPEG ({@code multipart/x-mixed-replace}) stream or a JPEG to poll. */
    HTTP
  }

  private static final String KINDS = "pattern:, file:, camera:, rtsp:// or http(s)://";

  public static SourceUri parse(String uri) {
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "source '" + SecretMask.uri(uri) + "' must start with " + KINDS);
    }
    String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    String argument = uri.substring(colon + 1);
    return switch (scheme) {
      case "pattern" -> {
        patternFormat(argument);
        yield new SourceUri(Kind.PATTERN, argument);
      }
      case "file" -> {
        if (argument.isBlank()) {
          throw new IllegalArgumentException("source '" + uri + "' names no file");
        }
        yield new SourceUri(Kind.FILE, argument);
      }
      case "camera" -> new SourceUri(Kind.CAMERA, argument);
      case "rtsp" -> new SourceUri(Kind.RTSP, network(uri, scheme));
      case "http", "https" -> new SourceUri(Kind.HTTP, network(uri, scheme));
      case "rtsps" -> throw new IllegalArgumentException(
          "source '" + SecretMask.uri(uri) + "': RTSP over TLS (rtsps://) is not supported; use rtsp://");
      default -> throw new IllegalArgumentException(
          "source '" + SecretMask.uri(uri) + "' has unknown kind '" + scheme + "' (use " + KINDS + ")");
    };
  }

  /**
   * Checks only that a network URI has something after {@code scheme://}; the source's own URL
   * parser checks the rest, since camera passwords often hold characters that {@link
   * java.net.URI} refuses unescaped.
   */
  private static String network(String uri, String scheme) {
    int rest = uri.indexOf("://");
    if (rest < 0 || rest + 3 >= uri.length() || uri.charAt(rest + 3) == '/') {
      throw new IllegalArgumentException(
          "source '" + SecretMask.uri(uri) + "' names no host (" + scheme + "://HOST[:PORT]/PATH)");
    }
    return uri;
  }

  /** The format a pattern argument asks for; empty means 640x360@30. */
  public static VideoFormat patternFormat(String argument) {
    if (argument.isEmpty()) {
      return new VideoFormat(640, 360, 30);
    }
    Matcher m = SIZE_RATE.matcher(argument);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "pattern size must look like WIDTHxHEIGHT or WIDTHxHEIGHT@FPS, not '" + argument + "'");
    }
    int width = Integer.parseInt(m.group(1));
    int height = Integer.parseInt(m.group(2));
    double fps = m.group(3) == null ? 30 : Double.parseDouble(m.group(3));
    if (width < 64 || height < 16 || width > 3840 || height > 2160 || width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException(
          "pattern size must be even, from 64x16 to 3840x2160, not " + width + "x" + height);
    }
    if (fps < 1 || fps > 120) {
      throw new IllegalArgumentException("pattern rate must be from 1 to 120 fps, not " + m.group(3));
    }
    return new VideoFormat(width, height, fps);
  }
}
