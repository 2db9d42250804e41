package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's load: a process of its own holding N webrtc-java viewers of one stream, so that
 * its CPU is not the gateway's. It is driven line by line on stdin and answers one JSON object per
 * line on stdout:
 *
 * <pre>
 * add N    opens N more viewers and waits until each is connected  -> {"event":"added","viewers":total}
 * remove N closes the N most recent viewers                        -> {"event":"removed","viewers":total}
 * stats    cumulative receive counters of every viewer             -> {"event":"stats","viewers":[...]}
 * quit     closes every viewer and exits
 * </pre>
 *
 * Arguments: {@code --port P --stream NAME [--codec VP8|H264|any] [--viewport WxH] [--hidden]}. The
 * codec is chosen from the receiving side, as a browser would: the offer carries only that codec.
 */
public final class LoadClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  private final PrintStream out;
  private final PeerConnectionFactory factory;
  private final int port;
  private final String stream;
  private final List<RTCRtpCodecCapability> codecs;
  private final ObjectNode viewport;
  private final List<LoadViewer> viewers = new ArrayList<>();

  private LoadClient(PrintStream out, PeerConnectionFactory factory, int port, String stream, String codec,
      ObjectNode viewport) {
    this.out = out;
    this.factory = factory;
    this.port = port;
    this.stream = stream;
    this.codecs = codecs(factory, codec);
    this.viewport = viewport;
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    String stream = null;
    String codec = "any";
    ObjectNode viewport = null;
    boolean hidden = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--stream" -> stream = args[++i];
        case "--codec" -> codec = args[++i];
        case "--viewport" -> {
          String[] size = args[++i].split("x");
          viewport = JSON.createObjectNode().put("type", "viewport")
              .put("width", Integer.parseInt(size[0])).put("height", Integer.parseInt(size[1]));
        }
        case "--hidden" -> hidden = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (port == 0 || stream == null) {
      throw new IllegalArgumentException("usage: LoadClient --port P --stream NAME [--codec VP8|H264|any] [--viewport WxH] [--hidden]");
    }
    if (hidden) {
      viewport = (viewport == null ? JSON.createObjectNode().put("type", "viewport").put("width", 0).put("height", 0) : viewport)
          .put("visible", false);
    } else if (viewport != null) {
      viewport.put("visible", true);
    }
    // stdout carries the protocol only; everything else (logs) goes to stderr.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
    PeerConnectionFactory factory = new PeerConnectionFactory(audio);
    LoadClient client = new LoadClient(out, factory, port, stream, codec, viewport);
    try {
      client.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    } finally {
      client.closeAll();
      factory.dispose();
      audio.dispose();
    }
    System.exit(0);
  }

  private void run(BufferedReader in) throws Exception {
    reply(JSON.createObjectNode().put("event", "ready").put("pid", ProcessHandle.current().pid())
        .put("codecs", codecs.toString()));
    String line;
    while ((line = in.readLine()) != null) {
      String[] command = line.trim().split("\\s+");
      try {
        switch (command[0]) {
          case "add" -> add(Integer.parseInt(command[1]));
          case "remove" -> remove(Integer.parseInt(command[1]));
          case "stats" -> stats();
          case "quit" -> {
            return;
          }
          default -> reply(error("unknown command " + line));
        }
      } catch (Exception | Error e) {
        // webrtc-java reports native failures as Errors; the parent decides what they mean.
        reply(error(e.toString()));
      }
    }
  }

  private void add(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      LoadViewer viewer = new LoadViewer(factory, port, stream);
      viewers.add(viewer);
      viewer.start(codecs, viewport, CONNECT_TIMEOUT);
    }
    reply(JSON.createObjectNode().put("event", "added").put("viewers", viewers.size()));
  }

  private void remove(int count) {
    for (int i = 0; i < count && !viewers.isEmpty(); i++) {
      viewers.remove(viewers.size() - 1).close();
    }
    reply(JSON.createObjectNode().put("event", "removed").put("viewers", viewers.size()));
  }

  private void stats() throws Exception {
    List<CompletableFuture<LoadViewer.Sample>> pending = new ArrayList<>();
    for (LoadViewer viewer : viewers) {
      pending.add(viewer.sample());
    }
    ObjectNode reply = JSON.createObjectNode().put("event", "stats").put("timeMillis", System.currentTimeMillis());
    ArrayNode list = reply.putArray("viewers");
    for (CompletableFuture<LoadViewer.Sample> future : pending) {
      LoadViewer.Sample s = future.get(10, TimeUnit.SECONDS);
      list.addObject()
          .put("timeMicros", s.timeMicros())
          .put("framesDecoded", s.framesDecoded())
          .put("framesReceived", s.framesReceived())
          .put("framesDropped", s.framesDropped())
          .put("width", s.width())
          .put("height", s.height())
          .put("codec", s.codec())
          .put("bytesReceived", s.bytesReceived());
    }
    reply(reply);
  }

  private void closeAll() {
    for (LoadViewer viewer : viewers) {
      try {
        viewer.close();
      } catch (RuntimeException | Error e) {
        System.err.println("load: closing a viewer failed: " + e);
      }
    }
    viewers.clear();
  }

  private void reply(ObjectNode message) {
    out.println(message.toString());
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("event", "error").put("message", message);
  }

  /**
   * The receiver's codec capabilities for {@code codec}, plus retransmission; empty for any. H.264
   * keeps only packetization-mode 1, which every browser uses.
   */
  static List<RTCRtpCodecCapability> codecs(PeerConnectionFactory factory, String codec) {
    if (codec.equalsIgnoreCase("any")) {
      return List.of();
    }
    List<RTCRtpCodecCapability> chosen = new ArrayList<>();
    for (RTCRtpCodecCapability c : factory.getRtpReceiverCapabilities(MediaType.VIDEO).getCodecs()) {
      boolean wanted = c.getName().equalsIgnoreCase(codec)
          && (!codec.equalsIgnoreCase("H264") || "1".equals(c.getSDPFmtp().get("packetization-mode")));
      if (wanted) {
        chosen.add(c);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("this libwebrtc cannot receive " + codec.toUpperCase(Locale.ROOT));
    }
    for (RTCRtpCodecCapability c : factory.getRtpReceiverCapabilities(MediaType.VIDEO).getCodecs()) {
      if (c.getName().equalsIgnoreCase("rtx")) {
        chosen.add(c);
      }
    }
    return chosen;
  }
}
