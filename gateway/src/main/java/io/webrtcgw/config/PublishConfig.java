package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One WHIP target a stream is published to (RFC 9725): the gateway offers the stream's picture to
 * {@code url}, encoded once for this target, whatever the number of the gateway's own viewers.
 *
 * @param name how the target is shown in logs, {@code /api/publications} and metrics; by default
 *     its host (and port). The URL's path is never shown: some services put the stream key in it.
 * @param url the WHIP endpoint, {@code http://} or {@code https://}
 * @param token the Bearer token sent with every request, or null; never printed
 * @param height the encoded height in rows (the width follows the picture's shape), or null for the
 *     source's own
 * @param fps frames per second at most, or null for the source's rate
 * @param bitrateKbps the encoder's ceiling in kbit/s, or null for libwebrtc's own for that size
 */
public record PublishConfig(String name, URI url, String token, Integer height, Double fps, Integer bitrateKbps) {
  /** RFC 6750's b64token: what may follow {@code Bearer } in an Authorization header. */
  private static final String TOKEN = "[A-Za-z0-9\\-._~+/]+=*";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}";

  @JsonCreator
  public static PublishConfig fromJson(
      @JsonProperty(value = "url", required = true) String url,
      @JsonProperty("token") String token,
      @JsonProperty("name") String name,
      @JsonProperty("height") Integer height,
      @JsonProperty("fps") Double fps,
      @JsonProperty("bitrateKbps") Integer bitrateKbps) {
    return new PublishConfig(name, parseUrl(url), token, height, fps, bitrateKbps);
  }

  /** A target with the source's full quality. */
  public static PublishConfig of(String url, String token) {
    return new PublishConfig(null, parseUrl(url), token, null, null, null);
  }

  public PublishConfig {
    if (url == null) {
      throw new IllegalArgumentException("publish: url is required");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("publish: url must be an http:// or https:// WHIP endpoint with a host, not "
          + SecretMask.uri(url.toString()));
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("publish: put the credentials of " + origin(url) + " in token, not in the url");
    }
    if (name == null) {
      name = url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    } else if (!name.matches(NAME)) {
      throw new IllegalArgumentException("publish: name must be 1-64 letters, digits, '.', '_', ':' or '-': " + name);
    }
    if (token != null && (token.length() > 4096 || !token.matches(TOKEN))) {
      throw new IllegalArgumentException("publish: the token of " + name
          + " must be a Bearer token (RFC 6750: A-Z a-z 0-9 - . _ ~ + / and trailing =), at most 4096 characters");
    }
    if (height != null && (height < 90 || height > 4320)) {
      throw new IllegalArgumentException("publish: height of " + name + " must be from 90 to 4320 rows");
    }
    if (fps != null && !(fps >= 1 && fps <= 60)) {
      throw new IllegalArgumentException("publish: fps of " + name + " must be from 1 to 60");
    }
    if (bitrateKbps != null && (bitrateKbps < 50 || bitrateKbps > 50_000)) {
      throw new IllegalArgumentException("publish: bitrateKbps of " + name + " must be from 50 to 50000");
    }
  }

  /** {@code scheme://host[:port]} of the target: what may be shown of its URL. */
  public String origin() {
    return origin(url);
  }

  private static String origin(URI url) {
    return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  private static URI parseUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("publish: url is required");
    }
    try {
      return new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("publish: url is not a URL: " + SecretMask.uri(e.getReason()));
    }
  }

  /** Keeps the token and the URL's path (which may hold a stream key) out of logs and error messages. */
  @Override
  public String toString() {
    return "PublishConfig[name=" + name + ", url=" + origin() + "/..., token=" + (token == null ? "unset" : "set")
        + ", height=" + height + ", fps=" + fps + ", bitrateKbps=" + bitrateKbps + "]";
  }
}
