package io.webrtcgw.source.h264;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * One end of the socket between the gateway and a decoder process: big-endian fields through
 * small direct buffers of its own, and bulk picture data straight between the socket and the
 * caller's arrays or direct buffers, so that no read or write allocates. One thread reads and
 * one writes at a time (writers take their own lock).
 */
final class SandboxChannel implements AutoCloseable {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final ByteChannel channel;
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES).flip();
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);

  SandboxChannel(ByteChannel channel) {
    this.channel = channel;
  }

  // Reading.

  int readInt() throws IOException {
    need(4);
    return in.getInt();
  }

  long readLong() throws IOException {
    need(8);
    return in.getLong();
  }

  String readUtf() throws IOException {
    int length = readInt();
    if (length < 0 || length > 4096) {
      throw new IOException("bad text length " + length);
    }
    byte[] bytes = new byte[length];
    readFully(bytes, 0, length);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Fills {@code bytes[offset, offset + length)} from the socket. */
  void readFully(byte[] bytes, int offset, int length) throws IOException {
    int buffered = Math.min(length, in.remaining());
    in.get(bytes, offset, buffered);
    if (buffered < length) {
      // The JDK reads a heap array through a direct buffer of its own, cached per thread.
      ByteBuffer rest = ByteBuffer.wrap(bytes, offset + buffered, length - buffered);
      while (rest.hasRemaining()) {
        if (channel.read(rest) < 0) {
          throw new EOFException("the other end closed the socket");
        }
      }
    }
  }

  /**
   * Fills {@code dst}'s remaining bytes from the socket, straight into it when it is direct; returns
   * how many of them were copied from this channel's own buffer (the rest the kernel wrote there).
   */
  long readFully(ByteBuffer dst) throws IOException {
    int buffered = Math.min(dst.remaining(), in.remaining());
    dst.put(in.slice(in.position(), buffered));
    in.position(in.position() + buffered);
    while (dst.hasRemaining()) {
      if (channel.read(dst) < 0) {
        throw new EOFException("the other end closed the socket");
      }
    }
    return buffered;
  }

  /** Skips {@code length} bytes. */
  void skip(long length) throws IOException {
    while (length > 0) {
      if (!in.hasRemaining()) {
        fill();
      }
      int n = (int) Math.min(length, in.remaining());
      in.position(in.position() + n);
      length -= n;
    }
  }

  private void need(int bytes) throws IOException {
    while (in.remaining() < bytes) {
      fill();
    }
  }

  private void fill() throws IOException {
    in.compact();
    try {
      if (channel.read(in) < 0) {
        throw new EOFException("the other end closed the socket");
      }
    } finally {
      in.flip();
    }
  }

  // Writing; nothing reaches the socket before flush().

  void writeInt(int value) throws IOException {
    room(4);
    out.putInt(value);
  }

  void writeLong(long value) throws IOException {
    room(8);
    out.putLong(value);
  }

  void writeUtf(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    writeInt(bytes.length);
    write(ByteBuffer.wrap(bytes));
  }

  /** Queues {@code data}'s remaining bytes (copied into the send buffer: compressed units are small). */
  void write(ByteBuffer data) throws IOException {
    if (data.remaining() > out.capacity()) {
      writeDirect(data);
      return;
    }
    room(data.remaining());
    out.put(data.duplicate());
  }

  /** Sends what is queued, then {@code data} straight from its own memory: for pictures. */
  void writeDirect(ByteBuffer data) throws IOException {
    flush();
    ByteBuffer rest = data.duplicate();
    while (rest.hasRemaining()) {
      channel.write(rest);
    }
  }

  void flush() throws IOException {
    out.flip();
    try {
      while (out.hasRemaining()) {
        channel.write(out);
      }
    } finally {
      out.clear();
    }
  }

  private void room(int bytes) throws IOException {
    if (out.remaining() < bytes) {
      flush();
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
