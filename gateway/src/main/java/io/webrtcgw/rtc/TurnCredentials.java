package io.webrtcgw.rtc;

import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.TurnConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived TURN credentials in coturn's REST scheme ({@code use-auth-secret}): the username is
 * {@code <expiry-unix-seconds>:<sessionId>} and the password is base64(HMAC-SHA1(secret, username)).
 * The TURN server recomputes the password from the username, so nothing has to be shared but the
 * secret, and a leaked credential stops working at its expiry.
 */
public final class TurnCredentials {
  private final TurnConfig config;
  private final Clock clock;
  private final SecretKeySpec key;

  public TurnCredentials(TurnConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.key = new SecretKeySpec(config.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA1");
  }

  /** The TURN server entry for one session, valid for the configured time from now. */
  public IceServer mint(String sessionId) {
    long expiry = clock.instant().plus(config.ttl()).getEpochSecond();
    String username = expiry + ":" + sessionId;
    return new IceServer(config.urls(), username, password(username));
  }

  String password(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(key);
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA1", e);
    }
  }
}
