package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.source.h264.AccessUnitDecoder;
import io.webrtcgw.source.h264.AnnexB;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.H264PictureDecoder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The camera part's decode-speed probe, a process of its own so that it can be pinned to one core
 * ({@code taskset -c 0}): decodes a raw H.264 stream's access units through the RTSP source's
 * decoder ({@link AccessUnitDecoder}: JCodec, then the crop and copy to I420), without pacing, for
 * at least {@code seconds} and two passes. Prints one JSON line: frames, seconds, fps over the
 * whole run, fps after the first pass (JIT warm), and the picture size.
 */
public final class CameraDecodeSpeedProbe {
  private CameraDecodeSpeedProbe() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
    List<List<byte[]>> units = AnnexB.accessUnits(AnnexB.nalUnits(Files.readAllBytes(file)));
    long frames = 0;
    long warmFrames = 0;
    long start = System.nanoTime();
    long warmStart = 0;
    int passes = 0;
    String size = "";
    while (System.nanoTime() - start < seconds * 1e9 || passes < 2) {
      // A fresh decoder per pass, as after a reconnect: every pass starts at the stream's first IDR.
      AccessUnitDecoder decoder = new AccessUnitDecoder(H264PictureDecoder::new);
      long pts = 0;
      for (List<byte[]> unit : units) {
        List<ByteBuffer> nals = new ArrayList<>(unit.size());
        for (byte[] nal : unit) {
          nals.add(ByteBuffer.wrap(nal.clone()));
        }
        DecodedPicture picture = decoder.decode(nals, pts++);
        if (picture != null) {
          frames++;
          if (warmStart != 0) {
            warmFrames++;
          }
          size = picture.width() + "x" + picture.height();
        }
      }
      passes++;
      if (warmStart == 0) {
        warmStart = System.nanoTime();
      }
    }
    long end = System.nanoTime();
    System.out.println(new ObjectMapper().createObjectNode()
        .put("frames", frames)
        .put("seconds", (end - start) / 1e9)
        .put("fps", frames / ((end - start) / 1e9))
        .put("warmFps", warmFrames / ((end - warmStart) / 1e9))
        .put("size", size)
        .toString());
  }
}
