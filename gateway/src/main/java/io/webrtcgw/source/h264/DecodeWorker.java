package io.webrtcgw.source.h264;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The main class of a decoder process ({@link DecoderSandbox}): runs JCodec on what the gateway
 * sends and answers with pictures. It holds nothing of the gateway's, so ending it at any moment
 * harms nothing; it ends by itself when the gateway closes its input.
 */
public final class DecodeWorker {
  private DecodeWorker() {}

  public static void main(String[] args) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
    // Whatever JCodec or the JVM prints must never land in the answer channel.
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    JCodecLogBridge.install();
    if (args.length > 0 && args[0].equals("--warm")) {
      // Warms up beside the reading below, and stops as soon as the first request comes: a stream
      // taking this process over must not wait for the warm-up to finish.
      Thread warmup = new Thread(Warmup::run, "warm-up");
      warmup.setDaemon(true);
      warmup.start();
    }
    LocalDecoder decoder = null;
    while (true) {
      int type;
      try {
        type = in.readInt();
      } catch (EOFException e) {
        return; // the gateway let go of this process
      }
      Warmup.stop();
      switch (type) {
        case SandboxProtocol.OPEN -> {
          Rotation rotation = Rotation.values()[Math.floorMod(in.readInt(), Rotation.values().length)];
          List<ByteBuffer> sps = SandboxProtocol.readUnits(in);
          List<ByteBuffer> pps = SandboxProtocol.readUnits(in);
          decoder = new LocalDecoder(new StreamDecoder.Spec("worker", rotation, sps, pps, Duration.ZERO));
        }
        case SandboxProtocol.DECODE -> {
          long pts = in.readLong();
          List<ByteBuffer> units = SandboxProtocol.readUnits(in);
          answer(out, decoder, units, pts);
        }
        case SandboxProtocol.RESET -> {
          if (decoder != null) {
            decoder.reset();
          }
        }
        default -> throw new IOException("unknown request " + type);
      }
    }
  }

  private static void answer(DataOutputStream out, LocalDecoder decoder, List<ByteBuffer> units, long pts)
      throws IOException {
    try {
      if (decoder == null) {
        throw new DecodeException.Damaged("no OPEN before the first unit");
      }
      DecodedPicture picture = decoder.decode(units, pts);
      if (picture == null) {
        out.writeInt(SandboxProtocol.NO_PICTURE);
        out.writeLong(pts);
      } else {
        SandboxProtocol.writePicture(out, picture);
      }
    } catch (UnsupportedStreamException e) {
      out.writeInt(SandboxProtocol.UNSUPPORTED);
      out.writeUTF(abbreviate(String.valueOf(e.getMessage())));
    } catch (DecodeException e) {
      out.writeInt(SandboxProtocol.DAMAGED);
      out.writeUTF(abbreviate(String.valueOf(e.getMessage())));
    }
    out.flush();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 297) + "...";
  }
}
