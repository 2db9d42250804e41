package io.webrtcgw.source;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed stream source URI: {@code pattern:[WxH@FPS]}, {@code file:PATH} or {@code
 * camera:[NAME|INDEX]}.
 */
public record SourceUri(Kind kind, String argument) {
  private static final Pattern SIZE_RATE = Pattern.compile("(\\d{1,5})x(\\d{1,5})(?:@(\\d{1,3}(?:\\.\\d{1,3})?))?");

  /** Kinds of source the gateway knows. */
  public enum Kind {
    PATTERN,
    FILE,
    CAMERA
  }

  public static SourceUri parse(String uri) {
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "source '" + uri + "' must start with pattern:, file: or camera:");
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
      default -> throw new IllegalArgumentException(
          "source '" + uri + "' has unknown kind '" + scheme + "' (use pattern:, file: or camera:)");
    };
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
