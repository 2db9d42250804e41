package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The npm packages of a test directory, installed with {@code npm ci} from its committed
 * package-lock.json (exact versions and integrity hashes) unless an earlier run already did.
 * Install scripts are not run and puppeteer's browser download is switched off: the registry
 * gives packages, never a browser.
 */
public final class NodeModules {
  private NodeModules() {}

  /** The project directory {@code relative} (e.g. {@code gateway/src/test/firefox}) of this checkout. */
  public static Path projectDirectory(String relative) {
    return Path.of(System.getProperty("gateway.projectRoot", "..")).resolve(relative).toAbsolutePath().normalize();
  }

  /**
   * Runs {@code npm ci} in {@code directory} unless {@code marker} (a file of the installed
   * packages) exists; fails with npm's output when it does not install.
   */
  public static void install(Path directory, Path marker) throws IOException, InterruptedException {
    if (Files.isRegularFile(marker)) {
      return;
    }
    Path logFile = Files.createTempFile("npm-ci-", ".log");
    Process npm;
    try {
      ProcessBuilder builder = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
          "--prefix", directory.toString())
          .redirectErrorStream(true)
          .redirectOutput(logFile.toFile());
      builder.environment().put("PUPPETEER_SKIP_DOWNLOAD", "1");
      npm = builder.start();
    } catch (IOException e) {
      throw new AssertionError("npm is needed to install " + directory + " (Node.js with npm): " + e.getMessage());
    }
    if (!npm.waitFor(5, TimeUnit.MINUTES)) {
      npm.destroyForcibly();
      throw new AssertionError("npm ci in " + directory + " took more than 5 minutes");
    }
    if (npm.exitValue() != 0 || !Files.isRegularFile(marker)) {
      throw new AssertionError("npm ci in " + directory + " failed (exit " + npm.exitValue() + "):\n"
          + Files.readString(logFile));
    }
    Files.deleteIfExists(logFile);
  }
}
