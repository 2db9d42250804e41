package io.webrtcgw.source.camera;

import io.webrtcgw.source.camera.CameraDevices.Camera;
import io.webrtcgw.source.camera.CameraDevices.Mode;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which camera a {@code camera:} URI asks for and in what mode: {@code camera:} (the first),
 * {@code camera:INDEX} or {@code camera:NAME}, each optionally followed by {@code
 * ?width=W&height=H&fps=F} (default 1280x720 at 30 fps).
 */
public record CameraSelector(Integer index, String name, Mode wanted) {
  public static final Mode DEFAULT_MODE = new Mode(1280, 720, 30);

  public static CameraSelector parse(String argument) {
    String selector = argument;
    Mode mode = DEFAULT_MODE;
    int query = argument.indexOf('?');
    if (query >= 0) {
      selector = argument.substring(0, query);
      mode = parseMode(argument.substring(query + 1));
    }
    if (selector.isEmpty()) {
      return new CameraSelector(null, null, mode);
    }
    if (selector.matches("\\d{1,3}")) {
      return new CameraSelector(Integer.parseInt(selector), null, mode);
    }
    return new CameraSelector(null, selector, mode);
  }

  private static Mode parseMode(String query) {
    int width = DEFAULT_MODE.width();
    int height = DEFAULT_MODE.height();
    int fps = DEFAULT_MODE.fps();
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("camera option '" + pair + "' must be KEY=VALUE");
      }
      int value;
      try {
        value = Integer.parseInt(kv[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("camera option " + kv[0] + " must be a number, not '" + kv[1] + "'");
      }
      switch (kv[0]) {
        case "width" -> width = value;
        case "height" -> height = value;
        case "fps" -> fps = value;
        default -> throw new IllegalArgumentException(
            "unknown camera option '" + kv[0] + "' (use width, height, fps)");
      }
    }
    if (width < 16 || height < 16 || width > 7680 || height > 4320 || fps < 1 || fps > 240) {
      throw new IllegalArgumentException("camera mode " + width + "x" + height + "@" + fps + " is out of range");
    }
    return new Mode(width, height, fps);
  }

  /** What the selector says, for messages. */
  public String describe() {
    if (index != null) {
      return "camera #" + index;
    }
    return name == null ? "the first camera" : "camera '" + name + "'";
  }

  /** The camera this selector picks among those present, if any. */
  public Optional<Camera> pick(List<Camera> cameras) {
    if (index != null) {
      return cameras.stream().filter(c -> c.index() == index).findFirst();
    }
    if (name == null) {
      return cameras.stream().findFirst();
    }
    Optional<Camera> exact = cameras.stream().filter(c -> c.name().equals(name) || c.id().equals(name)).findFirst();
    return exact.isPresent()
        ? exact
        : cameras.stream()
            .filter(c -> c.name().toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT)))
            .findFirst();
  }

  /** The offered mode closest to the wanted one (the wanted one itself when the camera lists none). */
  public Mode closestMode(Camera camera) {
    return camera.modes().stream()
        .min(Comparator.comparingLong((Mode m) -> Math.abs((long) m.width() * m.height() - (long) wanted.width() * wanted.height()))
            .thenComparingInt(m -> Math.abs(m.fps() - wanted.fps())))
        .orElse(wanted);
  }

  /** A listing of cameras and their modes for people, or a plain statement that there are none. */
  public static String listing(List<Camera> cameras) {
    if (cameras.isEmpty()) {
      return "no cameras found";
    }
    return cameras.stream()
        .map(c -> c.index() + ": " + c.name() + " (" + c.id() + ")\n    modes: "
            + (c.modes().isEmpty() ? "none reported"
                : c.modes().stream().map(Mode::toString).distinct().collect(Collectors.joining(", "))))
        .collect(Collectors.joining("\n"));
  }
}
