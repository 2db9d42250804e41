package io.webrtcgw.security;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Host} headers the gateway answers: against DNS rebinding, where a page of
 * {@code evil.example} makes its name resolve to the gateway's address and then reads the
 * gateway as its own origin. Such a request names a host the gateway does not know. Answered are
 * IP addresses (they cannot be rebound), {@code localhost}, this machine's own names, the host of
 * {@code publicUrl} and the configured {@code allowedHosts}.
 */
public final class HostPolicy {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final boolean any;
  private final Set<String> exact = new HashSet<>();
  private final List<String> suffixes;

  /**
   * @param publicUrl the gateway's public URL, or null
   * @param allowedHosts names, {@code *.domain} or {@code *}
   * @param ownNames this machine's names (see {@link #machineNames()})
   */
  public HostPolicy(String publicUrl, List<String> allowedHosts, Set<String> ownNames) {
    this.any = allowedHosts.contains("*");
    exact.add("localhost");
    ownNames.forEach(name -> exact.add(name.toLowerCase(Locale.ROOT)));
    if (publicUrl != null) {
      exact.add(URI.create(publicUrl).getHost().toLowerCase(Locale.ROOT));
    }
    allowedHosts.stream().filter(h -> !h.startsWith("*")).forEach(h -> exact.add(h.toLowerCase(Locale.ROOT)));
    this.suffixes = allowedHosts.stream().filter(h -> h.startsWith("*.")).map(h -> h.substring(1).toLowerCase(Locale.ROOT))
        .toList();
  }

  /** Whether a request with this {@code Host} header (host[:port], or null) is answered. */
  public boolean allows(String hostHeader) {
    if (any) {
      return true;
    }
    if (hostHeader == null || hostHeader.isBlank()) {
      return true; // HTTP/1.0 or a program: no name for a page to have rebound
    }
    String host = hostOf(hostHeader.trim().toLowerCase(Locale.ROOT));
    if (host.startsWith("[") || IPV4.matcher(host).matches()) {
      return true;
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (exact.contains(host) || host.endsWith(".localhost")) {
      return true;
    }
    for (String suffix : suffixes) {
      if (host.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static String hostOf(String hostHeader) {
    if (hostHeader.startsWith("[")) {
      int close = hostHeader.indexOf(']');
      return close < 0 ? hostHeader : hostHeader.substring(0, close + 1);
    }
    int colon = hostHeader.lastIndexOf(':');
    return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
  }

  /**
   * This machine's own host name (as {@code hostname} prints it), and its first label, which is
   * what a LAN's DNS or mDNS usually answers to. No reverse lookups: on a closed network they
   * hang for seconds.
   */
  public static Set<String> machineNames() {
    Set<String> names = new HashSet<>();
    try {
      String name = InetAddress.getLocalHost().getHostName();
      names.add(name);
      names.add(name + ".local");
      int dot = name.indexOf('.');
      if (dot > 0) {
        names.add(name.substring(0, dot));
      }
    } catch (UnknownHostException e) {
      // no name of its own: addresses and localhost still work
    }
    return names;
  }
}
