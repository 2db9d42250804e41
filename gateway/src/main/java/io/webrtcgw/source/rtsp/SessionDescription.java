package io.webrtcgw.source.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parts of an SDP (RFC 8866) that an RTSP client needs: session-level attributes and, per
 * media section, its type, protocol, payload types and attributes. Lenient: lines it does not
 * know, and malformed ones, are skipped, as cameras write SDP loosely.
 */
public record SessionDescription(List<String> attributes, List<Media> media) {

  /** One {@code m=} section. {@code formats} are the payload types, as written. */
  public record Media(String type, int port, String protocol, List<String> formats, List<String> attributes) {

    /** The value of the first {@code a=name:value} (or "" for a bare {@code a=name}), or null. */
    public String attribute(String name) {
      return SessionDescription.attribute(attributes, name);
    }

    /** Every {@code a=name:...} value in order. */
    public List<String> attributes(String name) {
      return SessionDescription.attributes(attributes, name);
    }

    /**
     * The value of {@code a=NAME:PT rest} for one payload type ({@code rtpmap}, {@code fmtp}), as
     * {@code rest}, or null.
     */
    public String formatAttribute(String name, String payloadType) {
      for (String value : attributes(name)) {
        String trimmed = value.trim();
        int space = firstSpace(trimmed);
        String type = space < 0 ? trimmed : trimmed.substring(0, space);
        if (type.equals(payloadType)) {
          return space < 0 ? "" : trimmed.substring(space + 1).trim();
        }
      }
      return null;
    }
  }

  public String attribute(String name) {
    return attribute(attributes, name);
  }

  /** Parses SDP text; never throws, whatever the text. */
  public static SessionDescription parse(String text) {
    List<String> session = new ArrayList<>();
    List<Media> media = new ArrayList<>();
    String[] header = null;
    List<String> mediaAttributes = null;
    for (String raw : text.split("\r\n|\n|\r")) {
      String line = raw.strip();
      if (line.length() < 2 || line.charAt(1) != '=') {
        continue;
      }
      char kind = line.charAt(0);
      String value = line.substring(2);
      if (kind == 'm') {
        if (header != null) {
          media.add(media(header, mediaAttributes));
        }
        header = value.trim().split("\\s+");
        mediaAttributes = new ArrayList<>();
      } else if (kind == 'a') {
        (mediaAttributes == null ? session : mediaAttributes).add(value);
      }
    }
    if (header != null) {
      media.add(media(header, mediaAttributes));
    }
    return new SessionDescription(List.copyOf(session), List.copyOf(media));
  }

  private static Media media(String[] header, List<String> attributes) {
    String type = header.length > 0 ? header[0].toLowerCase(Locale.ROOT) : "";
    int port = 0;
    if (header.length > 1) {
      String portText = header[1];
      int slash = portText.indexOf('/');
      try {
        port = Integer.parseInt(slash < 0 ? portText : portText.substring(0, slash));
      } catch (NumberFormatException e) {
        port = 0;
      }
    }
    String protocol = header.length > 2 ? header[2] : "";
    List<String> formats = new ArrayList<>();
    for (int i = 3; i < header.length; i++) {
      formats.add(header[i]);
    }
    return new Media(type, port, protocol, List.copyOf(formats), List.copyOf(attributes));
  }

  private static String attribute(List<String> attributes, String name) {
    List<String> all = attributes(attributes, name);
    return all.isEmpty() ? null : all.get(0);
  }

  private static List<String> attributes(List<String> attributes, String name) {
    List<String> out = new ArrayList<>();
    for (String attribute : attributes) {
      int colon = attribute.indexOf(':');
      String key = colon < 0 ? attribute : attribute.substring(0, colon);
      if (key.trim().equalsIgnoreCase(name)) {
        out.add(colon < 0 ? "" : attribute.substring(colon + 1));
      }
    }
    return out;
  }

  private static int firstSpace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
