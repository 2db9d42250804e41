package io.webrtcgw.source.auth;

import java.util.Objects;

/** A camera login. The password is never printed. */
public record Credentials(String username, String password) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    password = password == null ? "" : password;
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
