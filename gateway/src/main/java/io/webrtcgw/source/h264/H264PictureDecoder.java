package io.webrtcgw.source.h264;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.common.model.Picture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JCodec's pure-Java H.264 decoder, confined to the calling thread. */
public final class H264PictureDecoder implements PictureDecoder {
  private static final Logger log = LoggerFactory.getLogger(H264PictureDecoder.class);

  private final H264Decoder decoder;

  /** A decoder that knows {@code sps} and {@code pps} (each without its NAL header byte) from the start. */
  public H264PictureDecoder(List<ByteBuffer> sps, List<ByteBuffer> pps) {
    decoder = new H264Decoder();
    confineToCallingThread(decoder);
    decoder.addSps(sps);
    decoder.addPps(pps);
  }

  @Override
  public Picture decode(List<ByteBuffer> nalUnits, byte[][] buffer) {
    return decoder.decodeFrameFromNals(nalUnits, buffer);
  }

  /**
   * JCodec 0.2.5 gives every decoder a thread pool for multi-slice pictures and never shuts it down:
   * each decoder made after damage or on restart would leave idle threads behind, and slices decoded
   * there would escape the watchdog that bounds each decode. Turning the pool off keeps each source
   * to its one thread; if a later JCodec renames the fields, decoding still works, only threaded.
   */
  private static void confineToCallingThread(H264Decoder decoder) {
    try {
      Field threaded = H264Decoder.class.getDeclaredField("threaded");
      threaded.setAccessible(true);
      threaded.setBoolean(decoder, false);
      Field pool = H264Decoder.class.getDeclaredField("tp");
      pool.setAccessible(true);
      Object executor = pool.get(decoder);
      if (executor instanceof ExecutorService service) {
        service.shutdownNow();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("cannot confine JCodec's H.264 decoder to one thread; it may start its own", e);
    }
  }
}
