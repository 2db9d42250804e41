package io.webrtcgw.source.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.source.FrameBuffer;
import io.webrtcgw.source.FramePool;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.source.h264.StreamDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's parallel decode probe: decodes a clip flat out, without pacing, on {@code lanes}
 * lanes of the gateway's own decoder path (a decoder process with a lane per GOP, pictures read
 * straight into pooled frame buffers), each lane taking the next GOP, looping. The first pass warms
 * the JIT of the process and is not counted; then frames decoded over {@code seconds}. Prints one
 * JSON line.
 */
public final class DecodeLanesProbe {
  private DecodeLanesProbe() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int lanes = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    ClipInfo clip = Mp4Probe.probe(file);
    GopPlan plan = GopPlan.of(clip.samples());
    StreamDecoder.Spec spec = new StreamDecoder.Spec("probe", clip.rotation(), clip.avcC().getSpsList(),
        clip.avcC().getPpsList(), Duration.ofSeconds(10));
    int segments = plan.segments().size();
    AtomicLong next = new AtomicLong();
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder frames = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    try (DecoderSandbox sandbox = DecoderSandbox.start();
        FramePool pool = new FramePool(clip.format().width(), clip.format().height(), 2 * lanes)) {
      List<StreamDecoder> decoders = sandbox.openLanes(spec, lanes);
      for (int lane = 0; lane < lanes; lane++) {
        StreamDecoder decoder = decoders.get(lane);
        Thread thread = new Thread(() -> {
          try (ClipReader reader = new ClipReader(clip)) {
            while (running.get()) {
              GopPlan.Segment segment = plan.segments().get((int) (next.getAndIncrement() % segments));
              decoder.reset();
              for (int sample : segment.samples()) {
                FrameBuffer into = pool.acquire(0, TimeUnit.SECONDS.toNanos(10));
                FrameBuffer picture = decoder.decode(reader.units(reader.read(sample)), 0, into);
                if (picture != null && picture != into) {
                  picture.release();
                }
                into.release();
                if (counting.get() && picture != null) {
                  frames.increment();
                }
              }
            }
          } catch (Throwable t) {
            failure[0] = t;
          }
        }, "probe-lane-" + lane);
        threads.add(thread);
        thread.start();
      }
      while (next.get() < segments + lanes && failure[0] == null) {
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      counting.set(true);
      Thread.sleep((long) (seconds * 1000));
      counting.set(false);
      long end = System.nanoTime();
      long counted = frames.sum();
      running.set(false);
      for (Thread thread : threads) {
        thread.join();
      }
      decoders.forEach(StreamDecoder::close);
      if (failure[0] != null) {
        throw new IllegalStateException("decoding failed", failure[0]);
      }
      System.out.println(new ObjectMapper().createObjectNode()
          .put("clip", file.toString())
          .put("clipInfo", clip.describe())
          .put("lanes", lanes)
          .put("gops", segments)
          .put("frames", counted)
          .put("seconds", (end - start) / 1e9)
          .put("fps", counted / ((end - start) / 1e9)));
    }
  }
}
