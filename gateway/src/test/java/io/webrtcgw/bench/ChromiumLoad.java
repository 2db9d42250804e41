package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.testing.Browser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.openqa.selenium.WindowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a viewer costs when it is a real browser: headless Chromium pages of the viewer page, a few
 * per browser process, added step by step to one always-on stream. For every step, three windows
 * of the gateway's CPU, the browsers' CPU, each viewer's kbit/s and frame rate, and the encoders'
 * average QP ({@code qpSum / framesEncoded} from {@code /api/sessions}); then the same steps with
 * webrtc-java receivers ({@link LoadProcess}) as a second column.
 */
final class ChromiumLoad {
  private static final Logger log = LoggerFactory.getLogger(ChromiumLoad.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String STREAM = "load";
  private static final String ADMIN = "bench-admin-token-0123456789";
  static final int PAGES_PER_BROWSER = 3;
  private static final int WINDOWS = 3;
  /** A 30 fps stream's viewers that all render this many frames per second are served in full. */
  static final double HELD_FPS = 25;

  /**
   * One configuration to measure.
   *
   * @param label its name in the report
   * @param source the stream's source URI
   * @param maxBitrate the stream's own cap in bit/s, 0 for the gateway's policy
   * @param encoding the gateway-wide {@code encoding} block, or null for its default
   * @param loadClient also measure webrtc-java receivers on the same steps
   */
  record Run(String label, String source, int maxBitrate, ObjectNode encoding, boolean loadClient) {}

  /** The source that stands for "an ffmpeg-made 720p clip": made on first use, in the output folder. */
  static final String CLIP_720P = "ffmpeg:720p";

  /**
   * A run from {@code label=source[#maxBitrate][~bitsPerPixel][+load]}: a stream cap of its own, a
   * gateway-wide bits-per-pixel policy, and the webrtc-java column.
   */
  static Run parse(String spec, Path out) throws Exception {
    int equals = spec.indexOf('=');
    if (equals < 1) {
      throw new IllegalArgumentException("--chromium wants label=source[#maxBitrate][~bitsPerPixel][+load]: " + spec);
    }
    String label = spec.substring(0, equals);
    String rest = spec.substring(equals + 1);
    boolean load = rest.endsWith("+load");
    if (load) {
      rest = rest.substring(0, rest.length() - "+load".length());
    }
    ObjectNode encoding = null;
    int tilde = rest.lastIndexOf('~');
    if (tilde > 0) {
      encoding = JSON.createObjectNode().put("bitsPerPixel", Double.parseDouble(rest.substring(tilde + 1)));
      rest = rest.substring(0, tilde);
    }
    int maxBitrate = 0;
    int at = rest.lastIndexOf('#');
    if (at > 0 && rest.substring(at + 1).matches("\\d+")) {
      maxBitrate = Integer.parseInt(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String source = rest.equals(CLIP_720P) ? "file:" + clip720(out) : rest;
    return new Run(label, source, maxBitrate, encoding, load);
  }

  /** testsrc2 at 1280x720@30, H.264 Main with B-frames, 20 s, by Debian's ffmpeg. */
  private static Path clip720(Path out) throws Exception {
    Path file = out.resolve("chromium-clip-1280x720-30-main.mp4").toAbsolutePath();
    if (!Files.isRegularFile(file)) {
      Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
          "testsrc2=size=1280x720:rate=30", "-t", "20", "-c:v", "libx264", "-profile:v", "main", "-bf", "2",
          "-pix_fmt", "yuv420p", "-movflags", "+faststart", file.toString())
          .redirectErrorStream(true).redirectOutput(out.resolve("chromium-ffmpeg.log").toFile()).start();
      if (!ffmpeg.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || ffmpeg.exitValue() != 0) {
        throw new IllegalStateException("ffmpeg could not make the 720p clip; see " + out.resolve("chromium-ffmpeg.log"));
      }
    }
    return file;
  }

  private final Path jar;
  private final Path out;
  private final List<Integer> steps;
  private final Duration settle;
  private final Duration window;

  ChromiumLoad(Path jar, Path out, List<Integer> steps, Duration settle, Duration window) {
    this.jar = jar;
    this.out = out;
    this.steps = steps;
    this.settle = settle;
    this.window = window;
  }

  ObjectNode run(Run run) throws Exception {
    ObjectNode result = JSON.createObjectNode().put("label", run.label()).put("source", run.source())
        .put("maxBitrate", run.maxBitrate()).put("pagesPerBrowser", PAGES_PER_BROWSER).put("windows", WINDOWS)
        .put("windowSeconds", window.toSeconds());
    if (run.encoding() != null) {
      result.set("encoding", run.encoding());
    }
    try (GatewayProcess gateway = start(run)) {
      log.info("chromium {}: Chromium viewers, steps {}", run.label(), steps);
      ArrayNode browserSteps = result.putArray("chromium");
      try (Pages pages = new Pages(gateway.port(), wide(run.source()))) {
        for (int viewers : steps) {
          pages.moveTo(viewers);
          browserSteps.add(measure(gateway, viewers, pages::frames, ProcStat::chromium));
        }
      }
      fit(result, "chromium");
      if (run.loadClient()) {
        log.info("chromium {}: webrtc-java receivers, steps {}", run.label(), steps);
        ArrayNode loadSteps = result.putArray("webrtcJava");
        GatewayProcess.awaitSessions(gateway.port(), 0, Duration.ofSeconds(60));
        try (LoadProcess load = LoadProcess.start(gateway.port(), STREAM, List.of(),
            out.resolve("chromium-" + run.label() + "-load.log"))) {
          int now = 0;
          for (int viewers : steps) {
            if (viewers > now) {
              now = load.add(viewers - now);
            } else if (viewers < now) {
              now = load.remove(now - viewers);
            }
            GatewayProcess.awaitSessions(gateway.port(), viewers, Duration.ofSeconds(60));
            loadSteps.add(measure(gateway, viewers, () -> loadFrames(load), () -> cpuOf(load)));
          }
        }
        fit(result, "webrtcJava");
      }
    }
    return result;
  }

  private GatewayProcess start(Run run) throws Exception {
    ObjectNode config = JSON.createObjectNode().put("host", "127.0.0.1").put("port", 0);
    ObjectNode stream = config.putArray("streams").addObject().put("name", STREAM).put("source", run.source())
        .put("alwaysOn", true);
    if (run.maxBitrate() > 0) {
      stream.put("maxBitrate", run.maxBitrate());
    }
    if (run.encoding() != null) {
      config.set("encoding", run.encoding());
    }
    config.putObject("limits").put("maxViewers", 500);
    config.putObject("auth").put("adminToken", ADMIN);
    String label = "chromium-" + run.label();
    Path file = out.resolve(label + ".json");
    Files.writeString(file, config.toPrettyString());
    return GatewayProcess.startConfig(jar, out, label, file);
  }

  /** A 1280x720 picture needs a window that shows it whole, or the gateway encodes it smaller. */
  private static boolean wide(String source) {
    return source.contains("1280x720") || source.contains("720p") || source.contains("1920x1080");
  }

  /** Three windows after the settle time; each viewer's frame counts read around each window. */
  private ObjectNode measure(GatewayProcess gateway, int viewers, FrameReader frames, CpuReader others)
      throws Exception {
    Thread.sleep(settle.toMillis());
    List<Double> gatewayCpu = new ArrayList<>();
    List<Double> viewerCpu = new ArrayList<>();
    List<Double> kbps = new ArrayList<>();
    List<Double> qp = new ArrayList<>();
    List<Double> fps = new ArrayList<>();
    List<Double> fpsMin = new ArrayList<>();
    TreeSet<String> sizes = new TreeSet<>();
    TreeSet<String> codecs = new TreeSet<>();
    TreeSet<String> limitations = new TreeSet<>();
    long keyFrames = 0;
    for (int w = 0; w < WINDOWS; w++) {
      Map<String, long[]> f0 = frames.read();
      Map<String, JsonNode> s0 = sessions(gateway.port());
      ProcStat g0 = gateway.stat();
      Map<Long, ProcStat> o0 = others.read();
      Thread.sleep(window.toMillis());
      ProcStat g1 = gateway.stat();
      Map<Long, ProcStat> o1 = others.read();
      Map<String, JsonNode> s1 = sessions(gateway.port());
      Map<String, long[]> f1 = frames.read();
      double seconds = (g1.nanoTime() - g0.nanoTime()) / 1e9;
      gatewayCpu.add(g1.cpuPercentSince(g0));
      viewerCpu.add(ProcStat.cpuPercent(o0, o1));
      long bytes = 0;
      long qpSum = 0;
      long encoded = 0;
      int counted = 0;
      for (Map.Entry<String, JsonNode> entry : s1.entrySet()) {
        JsonNode before = s0.get(entry.getKey());
        JsonNode after = entry.getValue();
        if (before == null) {
          continue;
        }
        counted++;
        bytes += after.path("bytesSent").asLong() - before.path("bytesSent").asLong();
        qpSum += after.path("qpSum").asLong() - before.path("qpSum").asLong();
        encoded += after.path("framesEncoded").asLong() - before.path("framesEncoded").asLong();
        sizes.add(after.path("encodedSize").asText("?"));
        codecs.add(after.path("codec").asText("?"));
        limitations.add(after.path("qualityLimitation").asText("?"));
        keyFrames += after.path("keyFramesEncoded").asLong() - before.path("keyFramesEncoded").asLong();
      }
      kbps.add(counted == 0 ? 0 : bytes * 8 / 1000.0 / seconds / counted);
      qp.add(encoded == 0 ? 0 : (double) qpSum / encoded);
      List<Double> rates = new ArrayList<>();
      for (Map.Entry<String, long[]> entry : f1.entrySet()) {
        long[] before = f0.get(entry.getKey());
        long[] after = entry.getValue();
        if (before != null && after[1] > before[1]) {
          rates.add((after[0] - before[0]) / ((after[1] - before[1]) / 1e9));
        }
      }
      Percentiles r = new Percentiles(rates);
      fps.add(rates.isEmpty() ? 0 : r.median());
      fpsMin.add(rates.isEmpty() ? 0 : r.min());
    }
    ObjectNode step = JSON.createObjectNode().put("viewers", viewers);
    new Percentiles(gatewayCpu).writeTo(step.putObject("gatewayCpuPercent"));
    new Percentiles(viewerCpu).writeTo(step.putObject("viewerCpuPercent"));
    new Percentiles(kbps).writeTo(step.putObject("kbpsPerViewer"));
    new Percentiles(qp).writeTo(step.putObject("averageQp"));
    new Percentiles(fps).writeTo(step.putObject("viewerFpsMedian"));
    new Percentiles(fpsMin).writeTo(step.putObject("viewerFpsMin"));
    step.set("encodedSizes", JSON.valueToTree(sizes));
    step.set("codecs", JSON.valueToTree(codecs));
    step.set("qualityLimitations", JSON.valueToTree(limitations));
    step.put("keyFramesPerViewerPerMinute", viewers == 0 ? 0
        : Percentiles.round(keyFrames * 60.0 / (WINDOWS * window.toSeconds()) / viewers));
    step.put("gatewayRssMiB", Percentiles.round(gateway.stat().rssKiB() / 1024.0));
    log.info("  {} viewers: gateway {}% ({}-{}), viewers' own {}%, {} kbit/s each, QP {}, fps median {} min {}, {} {} {}, key frames/min {}",
        viewers, step.at("/gatewayCpuPercent/median"), step.at("/gatewayCpuPercent/min"),
        step.at("/gatewayCpuPercent/max"), step.at("/viewerCpuPercent/median"), step.at("/kbpsPerViewer/median"),
        step.at("/averageQp/median"), step.at("/viewerFpsMedian/median"), step.at("/viewerFpsMin/min"), sizes, codecs,
        limitations, step.get("keyFramesPerViewerPerMinute"));
    return step;
  }

  /**
   * Least-squares CPU per added viewer over the steps with viewers that held (every viewer at
   * {@link #HELD_FPS} or more in every window), from each step's median: a step where the
   * machine ran out of cores says what it could not do, not what a viewer costs.
   */
  private static void fit(ObjectNode result, String column) {
    List<double[]> cpu = new ArrayList<>();
    List<double[]> viewerCpu = new ArrayList<>();
    for (JsonNode step : result.path(column)) {
      if (held(step)) {
        cpu.add(new double[] {step.path("viewers").asDouble(), step.at("/gatewayCpuPercent/median").asDouble()});
        viewerCpu.add(new double[] {step.path("viewers").asDouble(), step.at("/viewerCpuPercent/median").asDouble()});
      }
    }
    ObjectNode fit = result.putObject(column + "Fit");
    fit.put("gatewayCpuPerViewer", Percentiles.round(Benchmark.slope(cpu)));
    fit.put("viewerCpuPerViewer", Percentiles.round(Benchmark.slope(viewerCpu)));
    // The spread of the per-viewer figure: the slope through each window's lowest and highest.
    List<double[]> low = new ArrayList<>();
    List<double[]> high = new ArrayList<>();
    for (JsonNode step : result.path(column)) {
      if (held(step)) {
        low.add(new double[] {step.path("viewers").asDouble(), step.at("/gatewayCpuPercent/min").asDouble()});
        high.add(new double[] {step.path("viewers").asDouble(), step.at("/gatewayCpuPercent/max").asDouble()});
      }
    }
    fit.put("gatewayCpuPerViewerFromMins", Percentiles.round(Benchmark.slope(low)));
    fit.put("gatewayCpuPerViewerFromMaxes", Percentiles.round(Benchmark.slope(high)));
    fit.put("stepsFitted", cpu.size());
    log.info("  {}: {}% of one core per added viewer (from window mins {}%, maxes {}%)", column,
        fit.get("gatewayCpuPerViewer"), fit.get("gatewayCpuPerViewerFromMins"), fit.get("gatewayCpuPerViewerFromMaxes"));
  }

  private static boolean held(JsonNode step) {
    return step.path("viewers").asInt() > 0 && step.at("/viewerFpsMin/min").asDouble() >= HELD_FPS;
  }

  /** Sessions by id from {@code /api/sessions}. */
  private static Map<String, JsonNode> sessions(int port) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sessions"))
        .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(10)).build();
    JsonNode all = JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    Map<String, JsonNode> out = new HashMap<>();
    all.forEach(session -> out.put(session.path("id").asText(), session));
    return out;
  }

  private static Map<String, long[]> loadFrames(LoadProcess load) throws Exception {
    Map<String, long[]> out = new HashMap<>();
    JsonNode viewers = load.stats().path("viewers");
    for (int i = 0; i < viewers.size(); i++) {
      JsonNode v = viewers.get(i);
      out.put(String.valueOf(i), new long[] {v.path("framesDecoded").asLong(), v.path("timeMicros").asLong() * 1000});
    }
    return out;
  }

  private static Map<Long, ProcStat> cpuOf(LoadProcess load) throws IOException {
    return Map.of(load.pid(), load.stat());
  }


  @FunctionalInterface
  private interface FrameReader {
    /** Frames each viewer has shown so far, with the System.nanoTime() of the read, by viewer. */
    Map<String, long[]> read() throws Exception;
  }

  @FunctionalInterface
  private interface CpuReader {
    Map<Long, ProcStat> read() throws IOException;
  }

  /** Viewer pages in headless Chromium, {@link #PAGES_PER_BROWSER} windows per browser process. */
  private static final class Pages implements AutoCloseable {
    private final int port;
    private final boolean wide;
    private final List<Browser> browsers = new ArrayList<>();
    /** Each open page: its browser and window handle. */
    private final List<Map.Entry<Browser, String>> pages = new ArrayList<>();

    Pages(int port, boolean wide) {
      this.port = port;
      this.wide = wide;
    }

    void moveTo(int count) throws Exception {
      while (pages.size() > count) {
        Map.Entry<Browser, String> last = pages.remove(pages.size() - 1);
        last.getKey().driver().switchTo().window(last.getValue());
        last.getKey().driver().close();
        if (pages.stream().noneMatch(page -> page.getKey() == last.getKey())) {
          browsers.remove(last.getKey());
          last.getKey().close();
        } else {
          Map.Entry<Browser, String> other =
              pages.stream().filter(page -> page.getKey() == last.getKey()).findFirst().orElseThrow();
          last.getKey().driver().switchTo().window(other.getValue());
        }
      }
      while (pages.size() < count) {
        int index = pages.size();
        Browser browser;
        if (index % PAGES_PER_BROWSER == 0) {
          browser = new Browser(List.of(), wide ? List.of("--window-size=1920,1200") : List.of());
          browsers.add(browser);
          browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        } else {
          browser = browsers.get(browsers.size() - 1);
          browser.driver().switchTo().newWindow(WindowType.WINDOW);
        }
        browser.driver().get("http://127.0.0.1:" + port + "/view/" + STREAM);
        browser.awaitState("playing", Duration.ofSeconds(30));
        pages.add(Map.entry(browser, browser.driver().getWindowHandle()));
      }
    }

    Map<String, long[]> frames() {
      Map<String, long[]> out = new HashMap<>();
      for (Map.Entry<Browser, String> page : pages) {
        Browser browser = page.getKey();
        browser.driver().switchTo().window(page.getValue());
        Object shown = browser.script("const v = document.querySelector('video');"
            + " if (document.visibilityState !== 'visible') return -1;"
            + " const q = v.getVideoPlaybackQuality(); return q.totalVideoFrames - q.droppedVideoFrames;");
        long count = ((Number) shown).longValue();
        if (count < 0) {
          throw new IllegalStateException("a viewer page is hidden, so its sender would pause: " + page.getValue());
        }
        out.put(page.getValue(), new long[] {count, System.nanoTime()});
      }
      return out;
    }


    @Override
    public void close() throws IOException {
      IOException failure = null;
      for (Browser browser : browsers) {
        try {
          browser.close();
        } catch (IOException e) {
          failure = e;
        }
      }
      browsers.clear();
      pages.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }
}
