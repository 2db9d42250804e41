package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two network namespaces of a test's own, {@code a} and {@code b}, joined by one veth pair on a
 * private /30 and nothing else: no default route, no link to the host's network. Names carry the
 * test JVM's pid, so a run never collides with another, and leftovers of a run that died are
 * removed before a new pair is made.
 *
 * <p>The link is IPv4 only. With IPv6 on, the veth's link-local address returns about 1.5 s after
 * link-up (duplicate address detection), and when that second address change lands inside
 * Chromium's own network-change delay (about 1.5 s before it gathers on a returning interface)
 * it can restart that delay: once in four 3-minute outages video came back after 3.7 s; with IPv6
 * off, after 1.5 s each time.
 */
public final class NetnsLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetnsLink.class);
  private static final Path IP = Path.of("/usr/sbin/ip");
  private static final String IP_COMMAND = IP.toString();
  private static final Pattern OURS = Pattern.compile("gwflap-[ab]-(\\d+)-\\d+");
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public static final String ADDRESS_A = "10.203.4.1";
  public static final String ADDRESS_B = "10.203.4.2";

  private final String namespaceA;
  private final String namespaceB;
  private final String vethA;
  private final String vethB;

  private NetnsLink(String namespaceA, String namespaceB, String vethA, String vethB) {
    this.namespaceA = namespaceA;
    this.namespaceB = namespaceB;
    this.vethA = vethA;
    this.vethB = vethB;
  }

  /** Skips the calling test unless this process may make namespaces. */
  public static void assumeAvailable() {
    Assumptions.assumeTrue(Files.isExecutable(IP), "iproute2's ip is required (apt-get install iproute2)");
    Assumptions.assumeTrue(isRoot(), "creating network namespaces needs root");
  }

  public static NetnsLink create() throws IOException, InterruptedException {
    removeStale();
    String tag = ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    NetnsLink link = new NetnsLink("gwflap-a-" + tag, "gwflap-b-" + tag,
        "gwfa" + tag.replace("-", ""), "gwfb" + tag.replace("-", ""));
    try {
      run(IP_COMMAND, "netns", "add", link.namespaceA);
      run(IP_COMMAND, "netns", "add", link.namespaceB);
      // Made inside the namespaces: the pair never appears on the host, even for a moment.
      run(IP_COMMAND, "-n", link.namespaceA, "link", "add", link.vethA, "type", "veth",
          "peer", "name", link.vethB, "netns", link.namespaceB);
      run(IP_COMMAND, "-n", link.namespaceA, "addr", "add", ADDRESS_A + "/30", "dev", link.vethA);
      run(IP_COMMAND, "-n", link.namespaceB, "addr", "add", ADDRESS_B + "/30", "dev", link.vethB);
      for (String namespace : List.of(link.namespaceA, link.namespaceB)) {
        run(IP_COMMAND, "-n", namespace, "link", "set", "lo", "up");
      }
      for (String namespace : List.of(link.namespaceA, link.namespaceB)) {
        run(IP_COMMAND, "netns", "exec", namespace, "/bin/sh", "-c",
            "f=/proc/sys/net/ipv6/conf/all/disable_ipv6; if [ -e $f ]; then echo 1 > $f; fi");
      }
      run(IP_COMMAND, "-n", link.namespaceA, "link", "set", link.vethA, "up");
      run(IP_COMMAND, "-n", link.namespaceB, "link", "set", link.vethB, "up");
    } catch (IOException | RuntimeException e) {
      link.close();
      throw e;
    }
    log.info("made namespaces {} ({} {}) and {} ({} {})", link.namespaceA, link.vethA, ADDRESS_A,
        link.namespaceB, link.vethB, ADDRESS_B);
    return link;
  }

  /** The command prefix that runs a program inside namespace {@code a}. */
  public List<String> inA() {
    return List.of(IP_COMMAND, "netns", "exec", namespaceA);
  }

  public List<String> inB() {
    return List.of(IP_COMMAND, "netns", "exec", namespaceB);
  }

  /** Takes b's end of the link down, as a viewer whose network drops. */
  public void down() throws IOException, InterruptedException {
    run(IP_COMMAND, "-n", namespaceB, "link", "set", vethB, "down");
  }

  public void up() throws IOException, InterruptedException {
    run(IP_COMMAND, "-n", namespaceB, "link", "set", vethB, "up");
  }

  /** Deletes both namespaces (and with them the veth pair); what fails is logged, not thrown. */
  @Override
  public void close() {
    for (String namespace : List.of(namespaceA, namespaceB)) {
      delete(namespace);
    }
  }

  /** Deletes our namespaces whose test JVM is gone. */
  private static void removeStale() throws IOException, InterruptedException {
    for (String line : output(IP_COMMAND, "netns", "list").split("\n")) {
      String name = line.split("\\s+")[0];
      Matcher matcher = OURS.matcher(name);
      if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
        log.info("removing namespace {} left by a run that ended without cleaning up", name);
        delete(name);
      }
    }
  }

  private static void delete(String namespace) {
    try {
      run(IP_COMMAND, "netns", "del", namespace);
    } catch (IOException | RuntimeException e) {
      log.warn("could not delete namespace {}: {}", namespace, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isRoot() {
    try {
      return output("id", "-u").strip().equals("0");
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    output(command);
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + out.strip());
    }
    return out;
  }

  @Override
  public String toString() {
    return namespaceA + " + " + namespaceB;
  }
}
