package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's benchmark: time to first frame and glass-to-glass latency in headless Chromium,
 * the gateway's CPU and memory per viewer under load from a separate {@link LoadClient} process,
 * and what a file and an RTSP camera cost. Starts the real gateway jar as its own process for each part, and writes a JSON and a
 * Markdown report. Run through Maven ({@code mvn -B -ntp -Pbench -DskipTests verify}); see
 * README's Benchmark section for options.
 */
public final class Benchmark {
  private static final Logger log = LoggerFactory.getLogger(Benchmark.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "bench";
  /** A viewer holds when it decodes at least this many frames per second (of 30). */
  static final double HOLD_FPS = 28;
  /** Other processes using more than this (% of one core) during a window make it disturbed. */
  static final double DISTURBED_PERCENT = 20;

  private final Options options;
  private final Path jar;
  private final Path out;
  private final ObjectNode report = JSON.createObjectNode();

  /** Durations and counts of one run; {@code --quick} shrinks them for trying the harness out. */
  record Options(boolean quick, int loads, int latencySeconds, Duration settle, Duration warmUp, Duration window,
      List<Integer> steps, int searchStep, int maxViewers, int tileViewers, Set<String> parts,
      List<String> scaling, double awaitLoad, Duration awaitLoadTimeout, Path baseline, Path clip,
      List<String> chromium, List<Integer> chromiumSteps) {}

  private Benchmark(Options options, Path jar, Path out) {
    this.options = options;
    this.jar = jar;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<String> parts = new LinkedHashSet<>(List.of("faces", "chromium", "ttff", "latency", "scaling", "tile", "file", "mjpeg", "camera",
        "wall"));
    List<String> scaling = List.of("640x360:VP8", "640x360:H264", "1280x720:VP8", "1280x720:H264");
    Path jar = Path.of("target/gateway.jar");
    Path out = Path.of("target/bench");
    Path baseline = null;
    Path clip = null;
    double awaitLoad = 1.0;
    int awaitLoadSeconds = 600;
    List<Integer> steps = null;
    // label=source[#maxBitrate][~bitsPerPixel][+load]: the Chromium viewer runs; +load adds webrtc-java receivers.
    List<String> chromium = List.of("pattern=pattern:640x360@30+load", "demo=file:../samples/demo.mp4",
        "clip720=" + ChromiumLoad.CLIP_720P, "pattern720=pattern:1280x720@30");
    List<Integer> chromiumSteps = null;
    Integer windowSeconds = null;
    Integer searchStep = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--parts" -> parts = new LinkedHashSet<>(List.of(args[++i].split(",")));
        case "--scaling" -> scaling = List.of(args[++i].split(","));
        case "--jar" -> jar = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--baseline" -> baseline = Path.of(args[++i]);
        case "--clip" -> clip = Path.of(args[++i]);
        case "--await-load" -> awaitLoad = Double.parseDouble(args[++i]);
        case "--await-load-seconds" -> awaitLoadSeconds = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Stream.of(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--window" -> windowSeconds = Integer.parseInt(args[++i]);
        case "--search-step" -> searchStep = Integer.parseInt(args[++i]);
        case "--chromium" -> chromium = List.of(args[++i].split(","));
        case "--chromium-steps" -> chromiumSteps = Stream.of(args[++i].split(",")).map(Integer::valueOf).toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (known: --quick --parts LIST --scaling WxH:CODEC,... --jar --out --baseline PATH --clip FILE"
            + " --await-load LOAD --await-load-seconds N --steps 0,1,2,... --window SECONDS --search-step N"
            + " --chromium label=source[#maxBitrate][~bitsPerPixel][+load],... --chromium-steps 0,1,2,...)");
      }
    }
    Options options = quick
        ? new Options(true, 5, 10, Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(5), List.of(0, 1, 2), 0, 2, 2,
            parts, scaling, awaitLoad, Duration.ofSeconds(awaitLoadSeconds), baseline, clip, chromium,
            chromiumSteps == null ? List.of(0, 1, 2) : chromiumSteps)
        : new Options(false, 30, 65, Duration.ofSeconds(20), Duration.ofSeconds(8), Duration.ofSeconds(20),
            List.of(0, 1, 2, 4, 8, 16), 4, 64, 4,
            parts, scaling, awaitLoad, Duration.ofSeconds(awaitLoadSeconds), baseline, clip, chromium,
            chromiumSteps == null ? List.of(0, 1, 2, 4, 6) : chromiumSteps);
    options = new Options(options.quick(), options.loads(), options.latencySeconds(), options.settle(), options.warmUp(),
        windowSeconds == null ? options.window() : Duration.ofSeconds(windowSeconds),
        steps == null ? options.steps() : steps, searchStep == null ? options.searchStep() : searchStep,
        options.maxViewers(), options.tileViewers(), parts, scaling, awaitLoad, options.awaitLoadTimeout(), baseline, clip,
        options.chromium(), options.chromiumSteps());
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn -B -ntp -DskipTests package)");
    }
    Files.createDirectories(out);
    new Benchmark(options, jar, out).run();
  }

  private void run() throws Exception {
    ZonedDateTime started = ZonedDateTime.now();
    awaitQuietMachine();
    ObjectNode machine = report.put("date", started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("quick", options.quick())
        .putObject("machine");
    machine.put("cores", MachineStat.cores())
        .put("cpuModel", MachineStat.cpuModel())
        .put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
    if (options.parts().contains("ttff") || options.parts().contains("latency")) {
      browserParts();
    }
    if (options.parts().contains("faces")) {
      report.set("firstFrameFaces", new FirstFrameFaces(jar, out, options.quick() ? 3 : 10).run());
    }
    if (options.parts().contains("chromium")) {
      ChromiumLoad load = new ChromiumLoad(jar, out, options.chromiumSteps(),
          options.quick() ? Duration.ofSeconds(5) : Duration.ofSeconds(10), options.quick() ? Duration.ofSeconds(4) : Duration.ofSeconds(8));
      ArrayNode runs = report.putArray("chromium");
      for (String spec : options.chromium()) {
        runs.add(load.run(ChromiumLoad.parse(spec, out)));
      }
    }
    if (options.parts().contains("scaling")) {
      ArrayNode runs = report.putArray("scaling");
      for (String config : options.scaling()) {
        String[] sizeCodec = config.split(":");
        runs.add(scaling(sizeCodec[0], sizeCodec[1]));
      }
    }
    if (options.parts().contains("tile")) {
      report.set("tile", tile());
    }
    if (options.parts().contains("file")) {
      report.set("file", new FileSourceCost(jar, out, options.clip(), this::measure).run());
    }
    if (options.parts().contains("decode")) {
      // Not in the default parts: files at real-world sizes (issue 13), some 8 minutes.
      report.set("decode", options.quick()
          ? new DecodeCost(jar, out, 1, Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(5)).run()
          : new DecodeCost(jar, out, 3, Duration.ofSeconds(8), Duration.ofSeconds(30), Duration.ofSeconds(20)).run());
    }
    if (options.parts().contains("mjpeg")) {
      report.set("mjpeg", new MjpegSourceCost(jar, out, options.quick()).run());
    }
    if (options.parts().contains("camera")) {
      report.set("camera", options.quick()
          ? new CameraSourceCost(jar, out, Duration.ofSeconds(3), Duration.ofSeconds(5), 5, 1, Duration.ofSeconds(5)).run()
          : new CameraSourceCost(jar, out, Duration.ofSeconds(20), Duration.ofSeconds(20), 12, 3, Duration.ofSeconds(10))
              .run());
    }
    if (options.parts().contains("soak")) {
      // Not in the default parts: 20 minutes on its own. 8 viewers, as the long soak test.
      Duration length = options.quick() ? Duration.ofMinutes(3) : Duration.ofMinutes(20);
      MemorySoak.Result soak = MemorySoak.run(jar, out, 8, length, Duration.ofMinutes(1),
          options.quick() ? Duration.ofMinutes(1) : Duration.ofMinutes(3));
      report.set("soak", MemorySoak.toJson(soak, 8, length));
    }
    if (options.parts().contains("wall")) {
      report.set("wall", new WallCost(jar, out, options.quick()).run());
    }
    if (options.parts().contains("janus")) {
      // Not in the default parts: it needs root for its network namespaces, as JanusPublishBrowserTest.
      report.set("janus", new JanusCost(out, options.quick()).run());
    }
    machine.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());
    report.put("durationSeconds", Duration.between(started, ZonedDateTime.now()).toSeconds());
    Targets.evaluate(report);
    String stamp = started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss", Locale.ROOT));
    write(out.resolve("bench-" + stamp));
    if (options.baseline() != null) {
      write(options.baseline());
    }
  }

  private void write(Path prefix) throws IOException {
    if (prefix.getParent() != null) {
      Files.createDirectories(prefix.getParent());
    }
    Path json = Path.of(prefix + ".json");
    Path markdown = Path.of(prefix + ".md");
    Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
    Files.writeString(markdown, MarkdownReport.render(report));
    log.info("report written to {} and {}", json.toAbsolutePath().normalize(), markdown.toAbsolutePath().normalize());
  }

  /**
   * Other work on a shared machine skews every number, so the run starts once the one-minute load
   * average is below the limit, or after the bounded wait, noting which.
   */
  private void awaitQuietMachine() throws Exception {
    long deadline = System.nanoTime() + options.awaitLoadTimeout().toNanos();
    double load = ProcStat.loadAverage();
    while (load >= options.awaitLoad() && System.nanoTime() < deadline) {
      log.info("load average {} >= {}; waiting for a quiet machine", load, options.awaitLoad());
      Thread.sleep(10_000);
      load = ProcStat.loadAverage();
    }
    report.put("awaitedLoadBelow", options.awaitLoad());
    report.put("quietAtStart", load < options.awaitLoad());
  }

  private void browserParts() throws Exception {
    if (!BrowserProbe.available()) {
      report.putObject("ttff").put("skipped", "Debian's chromium and chromium-driver are not installed");
      return;
    }
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "browser", STREAM, "pattern:640x360@30", false);
        BrowserProbe browser = new BrowserProbe()) {
      report.with("machine").put("chromium", browser.version());
      if (options.parts().contains("ttff")) {
        log.info("time to first frame: {} page loads (+1 not counted)", options.loads());
        browser.timeToFirstFrame(gateway.port(), STREAM, 1);
        int before = gateway.firstPacketMillis().size();
        List<Double> loads = browser.timeToFirstFrame(gateway.port(), STREAM, options.loads());
        List<Long> server = gateway.firstPacketMillis();
        server = server.subList(Math.min(before, server.size()), server.size());
        ObjectNode ttff = report.putObject("ttff");
        ttff.put("source", "pattern:640x360@30 (started by the first viewer)");
        new Percentiles(loads).writeTo(ttff.putObject("pageToFirstFrameMs"));
        new Percentiles(server).writeTo(ttff.putObject("offerToFirstPacketMs"));
        ttff.set("allPageToFirstFrameMs", JSON.valueToTree(loads.stream().map(Percentiles::round).toList()));
        ttff.set("allOfferToFirstPacketMs", JSON.valueToTree(server));
      }
      if (options.parts().contains("latency")) {
        log.info("glass-to-glass latency for {} s", options.latencySeconds());
        Map<String, Object> result = browser.latency(gateway.port(), STREAM, options.latencySeconds());
        @SuppressWarnings("unchecked")
        List<Number> latencies = (List<Number>) result.get("latencies");
        ObjectNode latency = report.putObject("latency");
        double elapsed = ((Number) result.get("elapsedMs")).doubleValue() / 1000;
        latency.put("source", "pattern:640x360@30")
            .put("seconds", Percentiles.round(elapsed))
            .put("renderedFps", Percentiles.round(((Number) result.get("presented")).doubleValue() / elapsed))
            .put("framesRead", latencies.size())
            .put("framesUnreadable", ((Number) result.get("unreadable")).longValue())
            .put("framesSkipped", ((Number) result.get("skipped")).longValue())
            .put("size", result.get("width") + "x" + result.get("height"));
        new Percentiles(latencies).writeTo(latency.putObject("glassToGlassMs"));
      }
    }
  }

  /** CPU and memory with a growing number of viewers of one source size and codec. */
  private ObjectNode scaling(String size, String codec) throws Exception {
    String label = "scaling-" + size + "-" + codec;
    log.info("{}: steps {}", label, options.steps());
    ObjectNode run = JSON.createObjectNode().put("source", "pattern:" + size + "@30").put("codec", codec);
    ArrayNode steps = run.putArray("steps");
    int[] wh = parseSize(size);
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, label, STREAM, "pattern:" + size + "@30", true);
        LoadProcess load = LoadProcess.start(gateway.port(), STREAM, List.of("--codec", codec), out.resolve(label + "-load.log"))) {
      int viewers = 0;
      int held = 0;
      Integer failed = null;
      for (int target : options.steps()) {
        viewers = moveTo(load, viewers, target);
        ObjectNode step = measureUndisturbed(gateway, load, viewers, wh[0], wh[1]);
        steps.add(step);
        if (step.path("held").asBoolean()) {
          held = Math.max(held, viewers);
        } else if (failed == null) {
          failed = viewers;
        }
      }
      if (failed == null && options.searchStep() > 0) {
        while (viewers < options.maxViewers()) {
          viewers = moveTo(load, viewers, viewers + options.searchStep());
          ObjectNode step = measureUndisturbed(gateway, load, viewers, wh[0], wh[1]);
          steps.add(step);
          if (!step.path("held").asBoolean()) {
            failed = viewers;
            break;
          }
          held = viewers;
        }
      }
      // Narrow the gap between the largest count that held and the smallest that did not.
      while (failed != null && failed - held > 1 && options.searchStep() > 0) {
        int middle = (held + failed) / 2;
        viewers = moveTo(load, viewers, middle);
        ObjectNode step = measureUndisturbed(gateway, load, viewers, wh[0], wh[1]);
        steps.add(step);
        if (step.path("held").asBoolean()) {
          held = middle;
        } else {
          failed = middle;
        }
      }
      run.put("maxViewersHeld", held);
      if (failed != null) {
        run.put("firstCountNotHeld", failed);
      }
    }
    fitPerViewer(run);
    return run;
  }

  /** The 320x180 dashboard tile against a full 1280x720 viewer, and a hidden tab, on one 720p source. */
  private ObjectNode tile() throws Exception {
    ObjectNode tile = JSON.createObjectNode().put("source", "pattern:1280x720@30")
        .put("codec", "gateway default (viewer offers every codec)")
        .put("viewers", options.tileViewers());
    ArrayNode runs = tile.putArray("runs");
    for (String viewport : List.of("1280x720", "320x180", "hidden")) {
      String label = "tile-" + viewport;
      log.info("{}: {} viewers", label, options.tileViewers());
      List<String> extra = viewport.equals("hidden") ? List.of("--viewport", "1280x720", "--hidden")
          : List.of("--viewport", viewport);
      ObjectNode run = runs.addObject().put("viewport", viewport);
      int[] expected = switch (viewport) {
        case "320x180" -> new int[] {320, 180};
        case "hidden" -> new int[] {0, 0};
        default -> new int[] {1280, 720};
      };
      try (GatewayProcess gateway = GatewayProcess.start(jar, out, label, STREAM, "pattern:1280x720@30", true);
          LoadProcess load = LoadProcess.start(gateway.port(), STREAM, extra, out.resolve(label + "-load.log"))) {
        ObjectNode idle = measure(gateway, load, 0, 0, 0);
        moveTo(load, 0, options.tileViewers());
        ObjectNode loaded = measure(gateway, load, options.tileViewers(), expected[0], expected[1]);
        run.set("idle", idle);
        run.set("loaded", loaded);
        run.put("cpuPerViewer", Percentiles.round(
            (loaded.path("gatewayCpuPercent").asDouble() - idle.path("gatewayCpuPercent").asDouble()) / options.tileViewers()));
      }
    }
    double full = runs.get(0).path("cpuPerViewer").asDouble();
    double small = runs.get(1).path("cpuPerViewer").asDouble();
    tile.put("tileToFullRatio", Math.round(small / full * 1000) / 1000.0);
    return tile;
  }

  private static int moveTo(LoadProcess load, int viewers, int target) throws Exception {
    if (target > viewers) {
      return load.add(target - viewers);
    }
    if (target < viewers) {
      return load.remove(viewers - target);
    }
    return viewers;
  }

  /**
   * A step that did not hold while other processes on the machine took a fair share of it is
   * measured again (twice at most): on a shared machine, someone else's build says nothing about
   * the gateway.
   */
  private ObjectNode measureUndisturbed(GatewayProcess gateway, LoadProcess load, int viewers, int width, int height)
      throws Exception {
    ObjectNode step = measure(gateway, load, viewers, width, height);
    for (int retry = 1; retry <= 2 && !step.path("held").asBoolean()
        && step.path("otherProcessesCpuPercent").asDouble() > DISTURBED_PERCENT; retry++) {
      log.info("  others used {}% of the machine; measuring again", step.path("otherProcessesCpuPercent"));
      step = measure(gateway, load, viewers, width, height).put("retries", retry);
    }
    return step;
  }

  /**
   * After a warm-up (bandwidth estimation ramps up, encoders settle), samples CPU, memory and each
   * viewer's decoded frames over the window. A step holds when every viewer decodes at least
   * {@link #HOLD_FPS} at the expected size.
   */
  private ObjectNode measure(GatewayProcess gateway, LoadProcess load, int viewers, int width, int height)
      throws Exception {
    // A fresh gateway first lets its JIT and heap settle (the source's frames are garbage at 30 fps).
    Thread.sleep(gateway.measured() ? options.warmUp().toMillis() : options.settle().toMillis());
    gateway.markMeasured();
    ProcStat g0 = gateway.stat();
    ProcStat l0 = load.stat();
    MachineStat m0 = MachineStat.now();
    JsonNode v0 = load.stats();
    Thread.sleep(options.window().toMillis());
    ProcStat g1 = gateway.stat();
    ProcStat l1 = load.stat();
    MachineStat m1 = MachineStat.now();
    JsonNode v1 = load.stats();
    long heapKiB = gateway.heapResidentKiB();

    List<Double> fps = new ArrayList<>();
    Set<String> sizes = new TreeSet<>();
    Set<String> codecs = new TreeSet<>();
    long kbits = 0;
    double seconds = (g1.nanoTime() - g0.nanoTime()) / 1e9;
    for (int i = 0; i < v1.path("viewers").size() && i < v0.path("viewers").size(); i++) {
      JsonNode a = v0.path("viewers").get(i);
      JsonNode b = v1.path("viewers").get(i);
      double dt = (b.path("timeMicros").asLong() - a.path("timeMicros").asLong()) / 1e6;
      fps.add(dt <= 0 ? 0 : (b.path("framesDecoded").asLong() - a.path("framesDecoded").asLong()) / dt);
      sizes.add(b.path("width").asInt() + "x" + b.path("height").asInt());
      codecs.add(b.path("codec").asText());
      kbits += (b.path("bytesReceived").asLong() - a.path("bytesReceived").asLong()) * 8 / 1000;
    }
    Percentiles f = new Percentiles(fps);
    boolean sizeHeld = sizes.size() == 1 && sizes.contains(width + "x" + height);
    // A size of 0x0 expects a paused sender: no frame at all.
    boolean held = viewers == 0 || (width == 0 ? f.max() == 0 : f.min() >= HOLD_FPS && sizeHeld);
    ObjectNode step = JSON.createObjectNode()
        .put("viewers", viewers)
        .put("gatewayCpuPercent", Percentiles.round(g1.cpuPercentSince(g0)))
        .put("gatewayRssMiB", Percentiles.round(g1.rssKiB() / 1024.0))
        .put("gatewayHeapMiB", Percentiles.round(heapKiB / 1024.0))
        .put("gatewayRssOutsideHeapMiB", heapKiB < 0 ? -1 : Percentiles.round((g1.rssKiB() - heapKiB) / 1024.0))
        .put("loadCpuPercent", Percentiles.round(l1.cpuPercentSince(l0)))
        .put("machineBusyPercent", Percentiles.round(m1.busyPercentSince(m0, MachineStat.cores())))
        .put("otherProcessesCpuPercent", Percentiles.round(Math.max(0,
            m1.busyPercentSince(m0, MachineStat.cores()) - g1.cpuPercentSince(g0) - l1.cpuPercentSince(l0))))
        .put("fpsMin", Percentiles.round(f.min()))
        .put("fpsMedian", Percentiles.round(f.median()))
        .put("kbpsPerViewer", viewers == 0 ? 0 : Math.round(kbits / seconds / viewers))
        .put("windowSeconds", Percentiles.round(seconds))
        .put("held", held);
    step.set("sizes", JSON.valueToTree(sizes));
    step.set("codecs", JSON.valueToTree(codecs));
    log.info("  {} viewers: gateway {}% cpu {} MiB, load {}% cpu, machine {}%, fps min {} median {}, {} {} {}",
        viewers, step.get("gatewayCpuPercent"), step.get("gatewayRssMiB"), step.get("loadCpuPercent"),
        step.get("machineBusyPercent"), step.get("fpsMin"), step.get("fpsMedian"), sizes, codecs,
        held ? "held" : "NOT held");
    return step;
  }

  /** Least-squares slope of CPU and memory against viewers, over the steps that held. */
  private static void fitPerViewer(ObjectNode run) {
    List<double[]> cpu = new ArrayList<>();
    List<double[]> rss = new ArrayList<>();
    List<double[]> outsideHeap = new ArrayList<>();
    for (JsonNode step : run.path("steps")) {
      if (step.path("held").asBoolean()) {
        double viewers = step.path("viewers").asDouble();
        cpu.add(new double[] {viewers, step.path("gatewayCpuPercent").asDouble()});
        rss.add(new double[] {viewers, step.path("gatewayRssMiB").asDouble()});
        outsideHeap.add(new double[] {viewers, step.path("gatewayRssOutsideHeapMiB").asDouble()});
      }
    }
    run.put("cpuPerViewer", Math.round(slope(cpu) * 100) / 100.0);
    run.put("rssMiBPerViewer", Math.round(slope(rss) * 100) / 100.0);
    run.put("rssOutsideHeapMiBPerViewer", Math.round(slope(outsideHeap) * 100) / 100.0);
    // What the gateway alone could serve with every core to itself, the load client elsewhere.
    double idle = cpu.isEmpty() ? 0 : cpu.get(0)[1];
    double perViewer = slope(cpu);
    if (perViewer > 0) {
      run.put("projectedViewersAllCores", (int) ((MachineStat.cores() * 100 - idle) / perViewer));
    }
  }

  static double slope(List<double[]> points) {
    int n = points.size();
    if (n < 2) {
      return Double.NaN;
    }
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (double[] p : points) {
      sx += p[0];
      sy += p[1];
      sxx += p[0] * p[0];
      sxy += p[0] * p[1];
    }
    double d = n * sxx - sx * sx;
    return d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
  }

  private static int[] parseSize(String size) {
    String[] parts = size.split("x");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }
}
