package io.webrtcgw.security;

import io.webrtcgw.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Builds the server's {@link SSLContext} from a PEM certificate and key or a PKCS12 keystore. */
public final class TlsContexts {
  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN (RSA |EC )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1?PRIVATE KEY-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /** @throws IllegalArgumentException naming the file and the problem */
  public static SSLContext serverContext(TlsConfig tls) {
    KeyStore keys = tls.isPem() ? fromPem(tls.certificate(), tls.privateKey()) : fromPkcs12(tls);
    char[] password = tls.isPem() ? NO_PASSWORD : tls.keystorePassword().toCharArray();
    try {
      KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      managers.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(managers.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("tls: cannot use the key: " + e.getMessage(), e);
    }
  }

  private static KeyStore fromPkcs12(TlsConfig tls) {
    try (InputStream in = Files.newInputStream(tls.keystore())) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, tls.keystorePassword().toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("tls: cannot open keystore " + tls.keystore()
          + " (wrong keystorePassword, or not PKCS12?): " + e.getMessage(), e);
    }
  }

  private static KeyStore fromPem(Path certificateFile, Path keyFile) {
    Collection<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(certificateFile)) {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("tls: cannot read certificate " + certificateFile + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("tls: " + certificateFile + " holds no PEM certificate");
    }
    PrivateKey key = readKey(keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("gateway", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("tls: the key in " + keyFile + " does not fit the certificate: "
          + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path keyFile) {
    String text;
    try {
      text = Files.readString(keyFile);
    } catch (IOException e) {
      throw new IllegalArgumentException("tls: cannot read private key " + keyFile + ": " + e.getMessage(), e);
    }
    Matcher m = PEM_KEY.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("tls: " + keyFile + " holds no unencrypted PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    if ("EC ".equals(m.group(1))) {
      throw new IllegalArgumentException("tls: " + keyFile + " is a SEC1 EC key; convert it with "
          + "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
    }
    if ("RSA ".equals(m.group(1))) {
      der = pkcs1ToPkcs8(der);
    }
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("tls: " + keyFile + " is not an RSA, EC or Ed25519 private key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which the JDK reads. */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = concat(new byte[] {0x04}, derLength(pkcs1.length), pkcs1);
    byte[] body = concat(version, algorithm, octets);
    return concat(new byte[] {0x30}, derLength(body.length), body);
  }

  private static byte[] derLength(int length) {
    if (length < 0x80) {
      return new byte[] {(byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) 0x81, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
