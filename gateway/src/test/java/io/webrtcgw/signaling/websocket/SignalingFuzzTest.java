package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ten thousand malformed and adversarial signaling messages over hundreds of connections, from a
 * seeded generator (-Dgateway.fuzz.seed, -Dgateway.fuzz.messages). Every message is accounted
 * for: it gets the {@code error} (or {@code answer}) the generator expects, or a documented close.
 * Meanwhile a viewer watching the same stream keeps its frame rate.
 *
 * <p>Nothing generated makes the gateway send packets anywhere but loopback: candidates are either
 * unparseable or name 127.0.0.1, and no SDP carries a candidate line, a host name or a STUN server.
 */
class SignalingFuzzTest {
  /** README: an offer with more media sections than this is refused as bad-sdp. */
  private static final int MAX_MEDIA_SECTIONS = 16;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(SignalingFuzzTest.class);
  private static final long SEED = Long.getLong("gateway.fuzz.seed", 20261121L);
  private static final int MESSAGES = Integer.getInteger("gateway.fuzz.messages", 10_000);
  private static final int WORKERS = 3;
  private static final Duration REPLY_WAIT = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int LIMIT = Limits.DEFAULT.maxMessageBytes();
  private static final String DROPPED = "dropped-after-close";

  private static Gateway gateway;
  private static ViewerPeers peers;
  private static String validOffer;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(Limits.DEFAULT, StreamConfig.of("pattern", "pattern:320x180@30"));
    peers = new ViewerPeers();
    // A real offer: with no candidate lines and no ICE servers, answering it makes the gateway
    // gather, but never send, since it learns no remote address.
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      validOffer = withFixedIdentity(viewer.lastOfferSdp());
    }
    assertFalse(validOffer.contains("a=candidate"), "the template offer must carry no candidates");
    log.debug("template offer:\n{}", validOffer);
    Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
  }

  /**
   * The offer with its random parts (session id, ICE credentials, fingerprint) fixed, so that a
   * seed always generates the same messages. Nothing ever connects with it, so they need not match
   * a real peer.
   */
  private static String withFixedIdentity(String sdp) {
    return sdp.replaceAll("(?m)^o=- \\S+ (\\S+)", "o=- 1000000000000000000 $1")
        .replaceAll("(?m)^a=ice-ufrag:.*$", "a=ice-ufrag:fUzZ")
        .replaceAll("(?m)^a=ice-pwd:.*$", "a=ice-pwd:fuzzfuzzfuzzfuzzfuzzfuzz")
        .replaceAll("(?m)^a=fingerprint:sha-256 .*$", "a=fingerprint:sha-256 " + String.join(":", Collections.nCopies(32, "AB")));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void everyHostileMessageIsAnsweredAndTheWatcherKeepsItsFrameRate() throws Exception {
    fuzz(SEED, MESSAGES);
  }

  /** Ten times as many messages, each batch from its own seed. */
  @Test
  @Tag("soak")
  void hundredThousandMessagesUnderTenSeeds() throws Exception {
    for (long seed = SEED; seed < SEED + 10; seed++) {
      fuzz(seed, MESSAGES);
    }
  }

  private static void fuzz(long seed, int messages) throws Exception {
    List<Script> scripts = new Generator(new Random(seed)).scripts(messages);
    int planned = scripts.stream().mapToInt(script -> script.steps().size()).sum();

    try (LoopbackViewer watcher = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      watcher.awaitFrames(10, WAIT);
      int framesBefore = watcher.frameCount();
      long started = System.nanoTime();

      Map<String, Integer> outcomes = new TreeMap<>();
      ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
      AtomicInteger sent = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
      try {
        List<Future<Map<String, Integer>>> results = new ArrayList<>();
        for (Script script : scripts) {
          results.add(pool.submit(() -> run(script, sent, mismatches)));
        }
        for (Future<Map<String, Integer>> result : results) {
          result.get().forEach((outcome, count) -> outcomes.merge(outcome, count, Integer::sum));
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double fps = (watcher.frameCount() - framesBefore) / seconds;
      int accounted = outcomes.values().stream().mapToInt(Integer::intValue).sum();
      log.info("fuzz seed {}: {} messages on {} connections in {} s, watcher at {} fps; outcomes {}",
          seed, sent.get(), scripts.size(), String.format("%.1f", seconds), String.format("%.1f", fps), outcomes);
      System.out.printf("FUZZ seed=%d messages_sent=%d connections=%d seconds=%.1f watcher_fps=%.1f outcomes=%s%n",
          seed, sent.get(), scripts.size(), seconds, fps, outcomes);

      assertTrue(mismatches.isEmpty(), mismatches.size() + " messages got an unexpected reply, e.g. "
          + mismatches.stream().limit(10).toList());
      assertEquals(planned, sent.get(), "every planned message was sent");
      assertEquals(sent.get(), accounted, "every message sent got a reply or a documented close");
      assertTrue(sent.get() >= messages, "sent " + sent.get());
      assertTrue(fps >= 25, "the watching viewer dropped to " + fps + " fps");
      assertFalse(watcher.signaling().isClosed(), "the watcher's socket must stay open");
      Await.until(() -> "only the watcher's session left, have " + gateway.sessions().count(),
          () -> gateway.sessions().count() == 1, WAIT);
    }
  }

  /** Plays one connection's script and returns what each of its messages got. */
  private static Map<String, Integer> run(Script script, AtomicInteger sent, ConcurrentLinkedQueue<String> mismatches)
      throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    try (SignalingClient client = SignalingClient.connect(gateway.port(), "pattern")) {
      client.expect("hello", WAIT);
      if (script.burst()) {
        for (Step step : script.steps()) {
          send(client, step);
          sent.incrementAndGet();
        }
        int replies = 0;
        while (replies < script.steps().size()) {
          String outcome = outcome(client);
          replies++;
          record(outcomes, mismatches, script.steps().get(0), outcome);
          if (outcome.startsWith("close:")) {
            outcomes.merge(DROPPED, script.steps().size() - replies, Integer::sum);
            break;
          }
        }
      } else {
        for (Step step : script.steps()) {
          send(client, step);
          sent.incrementAndGet();
          String outcome = outcome(client);
          record(outcomes, mismatches, step, outcome);
          if (outcome.startsWith("close:") || outcome.equals("silent")) {
            break;
          }
        }
      }
    }
    return outcomes;
  }

  private static void send(SignalingClient client, Step step) {
    if (step.binary() != null) {
      client.sendBinaryAsync(step.binary());
    } else {
      client.sendAsync(step.text());
    }
  }

  /** The reply to one message: {@code error:<code>}, {@code answer}, {@code close:<code>} or {@code silent}. */
  private static String outcome(SignalingClient client) throws InterruptedException {
    while (true) {
      JsonNode message;
      try {
        message = client.nextOrClose(REPLY_WAIT);
      } catch (AssertionError e) {
        return "silent";
      }
      switch (message.path("type").asText()) {
        case "candidate", "hello" -> { }
        case "error" -> {
          return "error:" + message.path("code").asText();
        }
        case "close" -> {
          return "close:" + message.path("code").asInt();
        }
        default -> {
          return message.path("type").asText();
        }
      }
    }
  }

  private static void record(Map<String, Integer> outcomes, ConcurrentLinkedQueue<String> mismatches, Step step,
      String outcome) {
    outcomes.merge(outcome, 1, Integer::sum);
    if (!step.expected().contains(outcome)) {
      mismatches.add(step.kind() + " got " + outcome + ", expected one of " + step.expected() + ": "
          + abbreviate(step.text() == null ? "<" + step.binary().length + " binary bytes>" : step.text()));
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 160 ? text : text.substring(0, 157) + "...";
  }

  /** One message and the replies it may get. */
  record Step(String kind, String text, byte[] binary, Set<String> expected) {
    static Step text(String kind, String text, String... expected) {
      return new Step(kind, text, null, Set.of(expected));
    }
  }

  /** One connection: its messages, sent one reply at a time, or all at once ({@code burst}). */
  record Script(List<Step> steps, boolean burst) {}

  /** Builds reproducible scripts from one seeded Random. */
  static final class Generator {
    private static final String LOOPBACK_CANDIDATE = "candidate:%d 1 udp %d 127.0.0.1 %d typ host";
    private static final String[] UNKNOWN_TYPES = {
      "{\"type\":5}", "{\"type\":null}", "{\"type\":[\"offer\"]}", "{\"type\":{\"offer\":1}}",
      "{\"type\":\"OFFER\"}", "{\"type\":\"answer\",\"sdp\":\"v=0\"}", "{\"type\":\"hello\"}",
      "{\"type\":\"bye\"}", "{\"type\":\"\"}", "{}", "{\"sdp\":\"v=0\"}", "{\"Type\":\"offer\"}",
    };
    private static final String[] BAD_MESSAGES = {
      "[]", "[1,2,3]", "\"offer\"", "42", "true", "null", "-0.5e300",
      "{\"type\":\"offer\",\"sdp\":{\"v\":0}}", "{\"type\":\"offer\",\"sdp\":[\"v=0\"]}",
      "{\"type\":\"candidate\",\"candidate\":{\"a\":1},\"sdpMid\":\"0\"}",
      "{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":\"first\"}",
      "{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":99999999999}",
      "{\"type\":\"candidate\",\"candidate\":[],\"sdpMid\":\"0\"}",
      "{\"type\":\"viewport\"}", "{\"type\":\"viewport\",\"width\":\"wide\",\"height\":1,\"visible\":true}",
      "{\"type\":\"viewport\",\"width\":-1,\"height\":10,\"visible\":true}",
      "{\"type\":\"viewport\",\"width\":10,\"height\":100000000,\"visible\":true}",
      "{\"type\":\"viewport\",\"width\":10,\"height\":10,\"visible\":\"yes\"}",
      "{\"type\":\"viewport\",\"width\":10,\"height\":10}",
      "{\"type\":\"viewport\",\"width\":1.5e10,\"height\":10,\"visible\":false}",
    };
    private static final String[] BAD_SDP_FIELDS = {
      "{\"type\":\"offer\",\"sdp\":123}", "{\"type\":\"offer\",\"sdp\":true}", "{\"type\":\"offer\",\"sdp\":null}",
      "{\"type\":\"offer\"}", "{\"type\":\"offer\",\"sdp\":\"\"}", "{\"type\":\"offer\",\"sdp\":\"   \"}",
      "{\"type\":\"offer\",\"sdp\":\"hello\"}", "{\"type\":\"offer\",\"sdp\":\"m=video 9 RTP/AVP 96\"}",
    };

    private final Random random;
    private int floods;

    Generator(Random random) {
      this.random = random;
    }

    List<Script> scripts(int messages) {
      List<Script> scripts = new ArrayList<>();
      int total = 0;
      while (total < messages) {
        int pick = random.nextInt(100);
        Script script;
        if (pick < 45) {
          script = garbageConnection();
        } else if (pick < 70) {
          script = sessionConnection();
        } else if (pick < 88) {
          script = sdpConnection();
        } else if (pick < 97 || floods >= 3) {
          script = repeatedOffers();
        } else {
          floods++;
          script = flood();
        }
        scripts.add(script);
        total += script.steps().size();
      }
      Collections.shuffle(scripts, random);
      return scripts;
    }

    /** Cheap garbage of every kind before any offer; sometimes ends with an oversized message. */
    private Script garbageConnection() {
      List<Step> steps = new ArrayList<>();
      int count = 20 + random.nextInt(40);
      for (int i = 0; i < count; i++) {
        steps.add(cheapGarbage(false));
      }
      if (random.nextInt(10) == 0) {
        steps.add(Step.text("oversized", padded("{\"type\":\"offer\",\"sdp\":\"v=0 ", LIMIT + 1 + random.nextInt(4000), "\"}"),
            "close:" + CloseCodes.TOO_BIG));
      }
      return new Script(steps, false);
    }

    /** A real session, then garbage candidates and renegotiations that must not break it. */
    private Script sessionConnection() {
      List<Step> steps = new ArrayList<>();
      for (int i = random.nextInt(5); i > 0; i--) {
        steps.add(cheapGarbage(false));
      }
      steps.add(Step.text("valid offer", offer(validOffer), "answer"));
      int expensive = 1;
      int count = 10 + random.nextInt(30);
      for (int i = 0; i < count; i++) {
        int pick = random.nextInt(10);
        if (pick < 5) {
          steps.add(garbageCandidate());
        } else if (pick < 6 && expensive < 4) {
          Step renegotiation = brokenSdpOffer(true);
          expensive += costsNegotiation(renegotiation) ? 1 : 0;
          steps.add(renegotiation);
        } else {
          steps.add(cheapGarbage(true));
        }
      }
      return new Script(steps, false);
    }

    /** Broken SDP as first offers: each opens a session libwebrtc then refuses (or answers). */
    private Script sdpConnection() {
      List<Step> steps = new ArrayList<>();
      int expensive = 0;
      boolean unknown = false;
      while (expensive < 3) {
        Step offer = brokenSdpOffer(false);
        expensive += costsNegotiation(offer) ? 1 : 0;
        unknown |= costsNegotiation(offer);
        steps.add(offer);
        for (int i = random.nextInt(4); i > 0; i--) {
          // Whether the broken offer left a session is up to libwebrtc, so a candidate gets either.
          steps.add(unknown
              ? Step.text("candidate after a broken offer", candidateJson(garbageCandidateText(), "0", null),
                  "error:no-offer", "error:bad-candidate")
              : cheapGarbage(false));
        }
      }
      steps.add(Step.text("valid offer after broken ones", offer(validOffer), "answer"));
      return new Script(steps, false);
    }

    /** The same valid offer many times without waiting: the gateway must not queue them all. */
    private Script repeatedOffers() {
      List<Step> steps = new ArrayList<>();
      int count = 6 + random.nextInt(15);
      for (int i = 0; i < count; i++) {
        steps.add(Step.text("repeated offer", offer(validOffer), "answer", "error:rate-limited"));
      }
      return new Script(steps, true);
    }

    /** Hundreds of messages at once: past the message rate the socket is closed. */
    private Script flood() {
      List<Step> steps = new ArrayList<>();
      int count = 300 + random.nextInt(100);
      for (int i = 0; i < count; i++) {
        steps.add(Step.text("flood", "{" + random.nextInt(1000), "error:bad-json", "close:" + CloseCodes.TOO_MANY_MESSAGES));
      }
      return new Script(steps, true);
    }

    /** A message that is refused without any negotiation; {@code live}: a session exists. */
    private Step cheapGarbage(boolean live) {
      int pick = random.nextInt(14);
      return switch (pick) {
        case 0, 1 -> Step.text("random text", randomText(random.nextInt(2000)),
            "error:bad-json", "error:bad-message", "error:unknown-type");
        case 2 -> Step.text("json-ish noise", jsonishNoise(random.nextInt(200)),
            "error:bad-json", "error:bad-message", "error:unknown-type");
        case 3, 4 -> Step.text("truncated json", truncatedJson(), "error:bad-json");
        case 5 -> Step.text("unknown type", pickFrom(UNKNOWN_TYPES), "error:unknown-type");
        case 6 -> Step.text("wrong field types", pickFrom(BAD_MESSAGES), "error:bad-message");
        case 7 -> Step.text("bad sdp field", pickFrom(BAD_SDP_FIELDS), "error:bad-sdp");
        case 8 -> new Step("binary", null, randomBytes(random.nextInt(3000)), Set.of("error:bad-json"));
        case 9 -> hugeString(live);
        case 10 -> Step.text("many m-lines", offer(manyMediaSections(17 + random.nextInt(500))), "error:bad-sdp");
        case 11 -> Step.text("offer without video", offer(validOffer.replace("m=video ", "m=audio ")), "error:no-video");
        case 12 -> Step.text("deep nesting", "{\"type\":\"offer\",\"x\":" + "[".repeat(2000 + random.nextInt(3000)) + "]}",
            "error:bad-json");
        default -> live
            ? garbageCandidate()
            : Step.text("candidate before offer", candidateJson(loopbackCandidate(), "0", 0), "error:no-offer");
      };
    }

    private Step hugeString(boolean live) {
      int length = LIMIT - random.nextInt(200);
      return switch (random.nextInt(3)) {
        case 0 -> Step.text("huge sdp", padded("{\"type\":\"offer\",\"sdp\":\"", length, "\"}"), "error:bad-sdp");
        case 1 -> Step.text("huge type", padded("{\"type\":\"", length, "\"}"), "error:unknown-type");
        default -> Step.text("huge candidate", padded("{\"type\":\"candidate\",\"sdpMid\":\"0\",\"candidate\":\"", length, "\"}"),
            live ? "error:bad-candidate" : "error:no-offer");
      };
    }

    /** A candidate that a live session must refuse. */
    private Step garbageCandidate() {
      return switch (random.nextInt(5)) {
        case 0, 1 -> Step.text("garbage candidate", candidateJson(garbageCandidateText(), "0", 0), "error:bad-candidate");
        case 2 -> Step.text("candidate for an unknown mid", candidateJson(loopbackCandidate(), "mid" + random.nextInt(99), null),
            "error:bad-candidate");
        case 3 -> Step.text("candidate for an unknown m-line", candidateJson(loopbackCandidate(), null, MAX_MEDIA_SECTIONS + random.nextInt(500)),
            "error:bad-candidate");
        default -> Step.text("candidate without mid or m-line", candidateJson(loopbackCandidate(), null, null),
            "error:bad-candidate");
      };
    }

    /**
     * An offer whose SDP is truncated or invented; what it gets depends on how broken it is. The
     * expected code follows from what the generator made and README's error codes (an SDP that
     * does not start with v=0, or has more than 16 media sections, is bad-sdp; one without a
     * video section is no-video), never from the gateway's own checks. Past those, libwebrtc
     * either refuses it (bad-sdp) or answers.
     */
    private Step brokenSdpOffer(boolean live) {
      String sdp;
      String kind;
      String cheapRefusal;
      if (random.nextBoolean()) {
        kind = "truncated sdp";
        int cut = 1 + random.nextInt(validOffer.length() - 1);
        sdp = validOffer.substring(0, cut);
        int video = validOffer.indexOf("\nm=video ");
        if (cut < "v=0".length()) {
          cheapRefusal = "bad-sdp";
        } else if (cut < video + "\nm=video ".length()) {
          cheapRefusal = "no-video";
        } else {
          cheapRefusal = null;
        }
      } else {
        kind = "garbage sdp";
        int[] sections = new int[1];
        sdp = garbageSdp(sections);
        cheapRefusal = sections[0] > MAX_MEDIA_SECTIONS ? "bad-sdp" : null;
      }
      if (cheapRefusal != null) {
        return Step.text(kind, offer(sdp), "error:" + cheapRefusal);
      }
      return Step.text(kind, offer(sdp), "error:bad-sdp", "answer");
    }

    private static boolean costsNegotiation(Step step) {
      return step.expected().contains("answer");
    }

    /** Invented SDP that starts with v=0 and a video section; {@code sections[0]} gets its m-line count. */
    private String garbageSdp(int[] sections) {
      List<String> lines = new ArrayList<>();
      String[] vocabulary = {
        "o=- " + random.nextLong() + " 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "c=IN IP4 0.0.0.0",
        "a=group:BUNDLE " + token(), "m=video " + random.nextInt(70000) + " UDP/TLS/RTP/SAVPF 96 97",
        "m=video 9 " + token() + " " + random.nextInt(200), "a=rtpmap:" + random.nextInt(300) + " " + token() + "/90000",
        "a=fmtp:96 " + token() + "=" + token(), "a=ice-ufrag:" + token(), "a=ice-pwd:" + token() + token(),
        "a=fingerprint:sha-256 " + hex(random.nextInt(40)), "a=setup:" + pickFrom(new String[] {"actpass", "active", "passive", token()}),
        "a=mid:" + token(), "a=recvonly", "a=sendrecv", "a=inactive", "a=rtcp-mux", "a=rtcp-rsize",
        "a=ssrc:" + random.nextInt() + " cname:" + token(), "a=extmap:" + random.nextInt(20) + " " + token(),
        "b=AS:" + random.nextInt(), "a=" + token(), token(), "a=rtcp-fb:96 " + token(),
      };
      lines.add("v=0");
      lines.add("m=video 9 UDP/TLS/RTP/SAVPF 96");
      for (int i = 5 + random.nextInt(40); i > 0; i--) {
        lines.add(pickFrom(vocabulary));
      }
      Collections.shuffle(lines.subList(1, lines.size()), random);
      sections[0] = (int) lines.stream().filter(line -> line.startsWith("m=")).count();
      return String.join(random.nextBoolean() ? "\r\n" : "\n", lines) + "\r\n";
    }

    private static String manyMediaSections(int sections) {
      StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
      for (int i = 0; i < sections; i++) {
        sdp.append("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:").append(i).append("\r\n");
      }
      return sdp.toString();
    }

    private String truncatedJson() {
      String whole = switch (random.nextInt(3)) {
        case 0 -> offer(validOffer);
        case 1 -> candidateJson(loopbackCandidate(), "0", 0);
        default -> "{\"type\":\"viewport\",\"width\":640,\"height\":360,\"visible\":true}";
      };
      return whole.substring(0, random.nextInt(whole.length()));
    }

    private String loopbackCandidate() {
      return String.format(LOOPBACK_CANDIDATE, random.nextInt(1_000_000), 1 + random.nextInt(Integer.MAX_VALUE - 1),
          1024 + random.nextInt(60_000));
    }

    /** A candidate line libwebrtc cannot parse; its address, where it has one, is loopback. */
    private String garbageCandidateText() {
      String[] fields = {"candidate:" + random.nextInt(1000), "1", "udp", "2122260223", "127.0.0.1", "9", "typ", "host"};
      switch (random.nextInt(8)) {
        case 0 -> {
          return token() + token(); // one word: never enough fields
        }
        case 1 -> fields[1] = "x" + token();
        case 2 -> fields[2] = "sctp";
        case 3 -> fields[3] = "prio" + token();
        case 4 -> fields[5] = "port" + token();
        case 5 -> fields[6] = "type";
        case 6 -> fields[7] = "bogus" + token();
        default -> {
          return String.join(" ", List.of(fields).subList(0, 1 + random.nextInt(6)));
        }
      }
      return String.join(" ", fields);
    }

    private static String candidateJson(String candidate, String mid, Integer mLineIndex) {
      ObjectNode node = JSON.createObjectNode().put("type", "candidate").put("candidate", candidate);
      if (mid != null) {
        node.put("sdpMid", mid);
      }
      if (mLineIndex != null) {
        node.put("sdpMLineIndex", mLineIndex);
      }
      return node.toString();
    }

    private static String offer(String sdp) {
      return JSON.createObjectNode().put("type", "offer").put("sdp", sdp).toString();
    }

    private String padded(String head, int totalLength, String tail) {
      return head + "x".repeat(Math.max(0, totalLength - head.length() - tail.length())) + tail;
    }

    private String randomText(int length) {
      StringBuilder text = new StringBuilder();
      while (text.length() < length) {
        int codePoint = switch (random.nextInt(5)) {
          case 0 -> random.nextInt(0x20);
          case 1 -> 0x20 + random.nextInt(0x5f);
          case 2 -> 0xa0 + random.nextInt(0x700);
          case 3 -> 0x4e00 + random.nextInt(0x5000);
          default -> 0x1f300 + random.nextInt(0x300);
        };
        text.appendCodePoint(codePoint);
      }
      return text.toString();
    }

    private String jsonishNoise(int length) {
      String alphabet = "{}[]\":,0123456789.eE+-truefalsn \\/type";
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return text.toString();
    }

    private byte[] randomBytes(int length) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      return bytes;
    }

    /** Letters and digits only: never a space, so never a field separator or a host name. */
    private String token() {
      String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
      StringBuilder token = new StringBuilder();
      for (int i = 1 + random.nextInt(12); i > 0; i--) {
        token.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return token.toString();
    }

    private String hex(int bytes) {
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < bytes; i++) {
        hex.append(i == 0 ? "" : ":").append(String.format("%02X", random.nextInt(256)));
      }
      return hex.toString();
    }

    private <T> T pickFrom(T[] values) {
      return values[random.nextInt(values.length)];
    }
  }
}
