package io.webrtcgw.source.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The header lines of one RTSP message, in order; names compare without case. Immutable. */
public final class RtspHeaders {
  private final List<Map.Entry<String, String>> lines;

  private RtspHeaders(List<Map.Entry<String, String>> lines) {
    this.lines = List.copyOf(lines);
  }

  public static RtspHeaders of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name, value pairs");
    }
    List<Map.Entry<String, String>> lines = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      lines.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new RtspHeaders(lines);
  }

  static RtspHeaders of(List<Map.Entry<String, String>> lines) {
    return new RtspHeaders(lines);
  }

  /** These headers with {@code name} set to {@code value}, replacing every line of that name. */
  public RtspHeaders with(String name, String value) {
    List<Map.Entry<String, String>> out = new ArrayList<>(lines.size() + 1);
    for (Map.Entry<String, String> line : lines) {
      if (!line.getKey().equalsIgnoreCase(name)) {
        out.add(line);
      }
    }
    out.add(Map.entry(name, value));
    return new RtspHeaders(out);
  }

  /** The first value of {@code name}, or null. */
  public String get(String name) {
    for (Map.Entry<String, String> line : lines) {
      if (line.getKey().equalsIgnoreCase(name)) {
        return line.getValue();
      }
    }
    return null;
  }

  /** Every value of {@code name}, in order. */
  public List<String> all(String name) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> line : lines) {
      if (line.getKey().equalsIgnoreCase(name)) {
        out.add(line.getValue());
      }
    }
    return out;
  }

  public List<Map.Entry<String, String>> lines() {
    return lines;
  }
}
