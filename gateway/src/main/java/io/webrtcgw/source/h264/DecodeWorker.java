package io.webrtcgw.source.h264;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jcodec.common.model.Picture;

/**
 * The main class of a decoder process ({@link DecoderSandbox}): connects to the gateway's socket,
 * runs JCodec on what the gateway sends and answers with pictures. Each lane decodes on a thread of
 * its own, so several GOPs of one stream decode at once; the main thread only reads requests and
 * hands them to their lane. It holds nothing of the gateway's, so ending it at any moment harms
 * nothing; it ends by itself when the gateway closes the socket.
 *
 * <p>Usage: {@code DecodeWorker SOCKET [--warm]}.
 */
public final class DecodeWorker {
  private final SandboxChannel channel;
  private final Object writeLock = new Object();
  private final Lane[] lanes = new Lane[SandboxProtocol.MAX_LANES];

  private DecodeWorker(SandboxChannel channel) {
    this.channel = channel;
  }

  public static void main(String[] args) throws IOException {
    // Whatever JCodec or the JVM prints goes to the gateway's log, never into the answers.
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    JCodecLogBridge.install();
    if (args.length < 1) {
      System.err.println("usage: DecodeWorker SOCKET [--warm]");
      System.exit(2);
    }
    if (args.length > 1 && args[1].equals("--warm")) {
      // Warms up beside the reading below, and stops as soon as the first request comes: a stream
      // taking this process over must not wait for the warm-up to finish.
      Thread warmup = new Thread(Warmup::run, "warm-up");
      warmup.setDaemon(true);
      warmup.start();
    }
    SocketChannel socket;
    try {
      socket = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])));
    } catch (IOException e) {
      // The gateway closed its sandbox while this process started; it says so itself if it cares.
      System.exit(3);
      return;
    }
    try (socket) {
      new DecodeWorker(new SandboxChannel(socket)).serve();
    } catch (IOException e) {
      if (!(e instanceof EOFException)) {
        System.err.println("decoder process: " + e);
        System.exit(1);
      }
    }
    // The gateway let go of this process; lanes still decoding have no one to answer.
    System.exit(0);
  }

  private void serve() throws IOException {
    while (true) {
      int type = channel.readInt();
      Warmup.stop();
      int lane = SandboxProtocol.lane(channel.readInt());
      switch (type) {
        case SandboxProtocol.OPEN -> {
          Rotation rotation = Rotation.values()[Math.floorMod(channel.readInt(), Rotation.values().length)];
          List<ByteBuffer> sps = SandboxProtocol.readUnits(channel);
          List<ByteBuffer> pps = SandboxProtocol.readUnits(channel);
          lane(lane).submit(l -> l.open(rotation, sps, pps));
        }
        case SandboxProtocol.DECODE -> {
          long pts = channel.readLong();
          boolean discard = (channel.readInt() & SandboxProtocol.DISCARD) != 0;
          List<ByteBuffer> units = SandboxProtocol.readUnits(channel);
          lane(lane).submit(l -> l.decode(units, pts, discard));
        }
        case SandboxProtocol.RESET -> lane(lane).submit(Lane::reset);
        default -> throw new IOException("unknown request " + type);
      }
    }
  }

  private Lane lane(int index) {
    if (lanes[index] == null) {
      lanes[index] = new Lane(index);
    }
    return lanes[index];
  }

  /** One lane's decoder, its thread and the buffer its pictures leave through. */
  private final class Lane {
    private final int index;
    private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    private final PictureConverter converter = new PictureConverter();
    private LocalDecoder decoder;
    private ByteBuffer picture = ByteBuffer.allocateDirect(0);

    Lane(int index) {
      this.index = index;
      Thread thread = new Thread(this::run, "lane-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    void submit(Task task) {
      tasks.add(task);
    }

    private void run() {
      try {
        while (true) {
          tasks.take().run(this);
        }
      } catch (IOException e) {
        System.err.println("decoder process, lane " + index + ": " + e);
        System.exit(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void open(Rotation rotation, List<ByteBuffer> sps, List<ByteBuffer> pps) {
      decoder = new LocalDecoder(new StreamDecoder.Spec("lane-" + index, rotation, sps, pps, Duration.ZERO));
    }

    void reset() {
      if (decoder != null) {
        decoder.reset();
      }
    }

    void decode(List<ByteBuffer> units, long pts, boolean discard) throws IOException {
      Picture decoded;
      try {
        if (decoder == null) {
          throw new DecodeException.Damaged("no OPEN before the first unit");
        }
        decoded = decoder.decodePicture(units);
      } catch (UnsupportedStreamException e) {
        answer(SandboxProtocol.UNSUPPORTED, abbreviate(String.valueOf(e.getMessage())));
        return;
      } catch (DecodeException e) {
        answer(SandboxProtocol.DAMAGED, abbreviate(String.valueOf(e.getMessage())));
        return;
      }
      if (decoded == null || discard) {
        synchronized (writeLock) {
          channel.writeInt(SandboxProtocol.NO_PICTURE);
          channel.writeInt(index);
          channel.writeLong(pts);
          channel.flush();
        }
        return;
      }
      int[] size = PictureConverter.size(decoded, decoder.rotation());
      int luma = size[0] * size[1];
      int chroma = ((size[0] + 1) / 2) * ((size[1] + 1) / 2);
      int bytes = luma + 2 * chroma;
      if (picture.capacity() < bytes) {
        picture = ByteBuffer.allocateDirect(bytes);
      }
      long copied = converter.convert(decoded, decoder.rotation(),
          picture.slice(0, luma), picture.slice(luma, chroma), picture.slice(luma + chroma, chroma));
      picture.clear().limit(bytes);
      synchronized (writeLock) {
        channel.writeInt(SandboxProtocol.PICTURE);
        channel.writeInt(index);
        channel.writeLong(pts);
        channel.writeInt(size[0]);
        channel.writeInt(size[1]);
        channel.writeLong(copied);
        channel.writeDirect(picture);
      }
    }

    private void answer(int type, String reason) throws IOException {
      synchronized (writeLock) {
        channel.writeInt(type);
        channel.writeInt(index);
        channel.writeUtf(reason);
        channel.flush();
      }
    }
  }

  /** Work queued for a lane, run on its thread in the order the gateway sent it. */
  @FunctionalInterface
  private interface Task {
    void run(Lane lane) throws IOException;
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 297) + "...";
  }
}
