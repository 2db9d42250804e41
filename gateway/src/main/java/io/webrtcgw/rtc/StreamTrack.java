package io.webrtcgw.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge from a stream into libwebrtc: one {@link CustomVideoSource} per stream and the one
 * video track that every viewer's peer connection sends. Each frame is copied once into native
 * memory; libwebrtc's own broadcaster then hands that one buffer to every viewer's encoder.
 */
public final class StreamTrack implements FrameSink, AutoCloseable {
  private final CustomVideoSource nativeSource = new CustomVideoSource();
  private final VideoTrack track;
  private final AtomicLong framesPushed = new AtomicLong();
  private final AtomicLong bytesCopied = new AtomicLong();
  private volatile boolean closed;

  StreamTrack(String name, PeerConnectionFactory factory) {
    VideoTrack created;
    try {
      created = factory.createVideoTrack("video-" + name, nativeSource);
    } catch (RuntimeException | Error e) {
      nativeSource.dispose();
      throw e;
    }
    this.track = created;
  }

  /** The track every viewer's peer connection sends. */
  public VideoTrack track() {
    return track;
  }

  public long framesPushed() {
    return framesPushed.get();
  }

  /** Bytes copied into native buffers so far: one frame's planes per frame, whoever watches. */
  public long bytesCopied() {
    return bytesCopied.get();
  }

  @Override
  public synchronized void onFrame(I420Frame frame) {
    if (closed) {
      return;
    }
    // A fresh buffer per frame: encoders of several viewers may still hold the previous one.
    NativeI420Buffer buffer = NativeI420Buffer.allocate(frame.width(), frame.height());
    copyPlane(frame.yPlane(), frame.width(), frame.height(), buffer.getDataY(), buffer.getStrideY());
    copyPlane(frame.uPlane(), frame.chromaWidth(), frame.chromaHeight(), buffer.getDataU(), buffer.getStrideU());
    copyPlane(frame.vPlane(), frame.chromaWidth(), frame.chromaHeight(), buffer.getDataV(), buffer.getStrideV());
    VideoFrame videoFrame =
        new VideoFrame(buffer, TimeUnit.MICROSECONDS.toNanos(frame.captureTimeMicros()));
    try {
      nativeSource.pushFrame(videoFrame);
      framesPushed.incrementAndGet();
    } finally {
      videoFrame.release();
    }
  }

  /** One memory copy per plane (per row if libwebrtc pads the rows), from arrays or direct memory alike. */
  private void copyPlane(ByteBuffer src, int width, int height, ByteBuffer dst, int stride) {
    bytesCopied.addAndGet((long) width * height);
    ByteBuffer out = dst.duplicate();
    if (stride == width) {
      out.position(0);
      out.put(src.limit(width * height));
      return;
    }
    for (int row = 0; row < height; row++) {
      out.position(row * stride);
      out.put(src.slice(row * width, width));
    }
  }

  /**
   * Disposes the track, then the native source under it; every peer connection sending the track
   * must have been closed first.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      track.dispose();
    } finally {
      nativeSource.dispose();
    }
  }
}
