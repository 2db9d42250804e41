package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * HTTPS and WSS served by the gateway itself: a PEM certificate chain and private key, or a PKCS12
 * keystore. Exactly one of the two forms.
 *
 * @param keystorePassword may be empty for a keystore without a password
 */
public record TlsConfig(Path certificate, Path privateKey, Path keystore, String keystorePassword) {

  @JsonCreator
  public static TlsConfig of(
      @JsonProperty("certificate") String certificate,
      @JsonProperty("privateKey") String privateKey,
      @JsonProperty("keystore") String keystore,
      @JsonProperty("keystorePassword") String keystorePassword) {
    return new TlsConfig(path(certificate), path(privateKey), path(keystore),
        keystorePassword == null ? "" : keystorePassword);
  }

  public TlsConfig {
    boolean pem = certificate != null || privateKey != null;
    if (pem && keystore != null) {
      throw new IllegalArgumentException("tls: give either certificate and privateKey (PEM) or keystore (PKCS12), not both");
    }
    if (!pem && keystore == null) {
      throw new IllegalArgumentException("tls: needs certificate and privateKey (PEM) or keystore (PKCS12)");
    }
    if (pem && (certificate == null || privateKey == null)) {
      throw new IllegalArgumentException("tls: a PEM setup needs both certificate and privateKey");
    }
    for (Path file : new Path[] {certificate, privateKey, keystore}) {
      if (file != null && !Files.isReadable(file)) {
        throw new IllegalArgumentException("tls: cannot read " + file);
      }
    }
    keystorePassword = keystorePassword == null ? "" : keystorePassword;
  }

  public boolean isPem() {
    return keystore == null;
  }

  private static Path path(String value) {
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  /** Keeps the password out of logs and error messages. */
  @Override
  public String toString() {
    return isPem() ? "TlsConfig[pem " + certificate + "]" : "TlsConfig[pkcs12 " + keystore + "]";
  }
}
