package io.webrtcgw.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How a stream's source is read, beside its URI. Each kind of source uses the settings that apply
 * to it and ignores the rest.
 *
 * @param loop a file starts over at its end (default); false plays it once and ends the stream
 * @param transport how an RTSP camera sends RTP: interleaved on the RTSP connection (default), UDP,
 *     or UDP with a fall-back to TCP
 * @param username camera login, when not in the URI (a login in the URI wins); null when unset
 * @param password camera password, likewise; never printed
 * @param stallTimeout a network camera that delivers nothing this long is given up and reconnected
 * @param fps how often a snapshot-only camera (a plain JPEG URL) is polled; null: once a second
 */
public record SourceOptions(
    boolean loop, Transport transport, String username, String password, Duration stallTimeout, Double fps) {
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(5);
  public static final SourceOptions DEFAULT =
      new SourceOptions(true, Transport.TCP, null, null, DEFAULT_STALL_TIMEOUT, null);

  /** How RTP travels from an RTSP camera. */
  public enum Transport {
    /** Interleaved on the RTSP TCP connection: passes NAT and firewalls. */
    TCP,
    /** Separate UDP ports (RTSP's client_port). */
    UDP,
    /** UDP first; TCP when the camera refuses UDP or nothing arrives over it. */
    AUTO;

    static Transport parse(String value) {
      if (value == null) {
        return TCP;
      }
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("transport must be tcp, udp or auto, not '" + value + "'");
      }
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public SourceOptions {
    if (transport == null) {
      transport = Transport.TCP;
    }
    if (stallTimeout == null) {
      stallTimeout = DEFAULT_STALL_TIMEOUT;
    }
    if (stallTimeout.compareTo(Duration.ofSeconds(1)) < 0 || stallTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("stallTimeoutSeconds must be from 1 to 600");
    }
    if (fps != null && !(fps >= 0.01 && fps <= 60)) {
      throw new IllegalArgumentException("fps must be from 0.01 to 60");
    }
    if (username != null && (username.isEmpty() || username.length() > 256)) {
      throw new IllegalArgumentException("username must be 1-256 characters");
    }
    if (password != null && password.length() > 256) {
      throw new IllegalArgumentException("password must be at most 256 characters");
    }
  }

  static SourceOptions of(Boolean loop, String transport, String username, String password,
      Double stallTimeoutSeconds, Double fps) {
    return new SourceOptions(loop == null || loop, Transport.parse(transport), username, password,
        stallTimeoutSeconds == null ? null : Duration.ofMillis(Math.round(stallTimeoutSeconds * 1000)), fps);
  }

  public SourceOptions withLoop(boolean value) {
    return new SourceOptions(value, transport, username, password, stallTimeout, fps);
  }

  public SourceOptions withTransport(Transport value) {
    return new SourceOptions(loop, value, username, password, stallTimeout, fps);
  }

  public SourceOptions withLogin(String user, String pass) {
    return new SourceOptions(loop, transport, user, pass, stallTimeout, fps);
  }

  public SourceOptions withStallTimeout(Duration value) {
    return new SourceOptions(loop, transport, username, password, value, fps);
  }

  public SourceOptions withFps(Double value) {
    return new SourceOptions(loop, transport, username, password, stallTimeout, value);
  }

  /** Keeps the password out of logs and error messages. */
  @Override
  public String toString() {
    return "SourceOptions[loop=" + loop + ", transport=" + transport.label() + ", username="
        + (username == null ? "unset" : "set") + ", password=" + (password == null ? "unset" : "set")
        + ", stallTimeout=" + stallTimeout.toMillis() + "ms, fps=" + fps + "]";
  }
}
