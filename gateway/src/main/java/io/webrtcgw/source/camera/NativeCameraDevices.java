package io.webrtcgw.source.camera;

import dev.onvoid.webrtc.media.MediaDevices;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoCapture;
import dev.onvoid.webrtc.media.video.VideoCaptureCapability;
import dev.onvoid.webrtc.media.video.VideoDevice;
import dev.onvoid.webrtc.media.video.VideoFrame;
import io.webrtcgw.source.I420Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Cameras through libwebrtc's device capture (V4L2 on Linux). */
public final class NativeCameraDevices implements CameraDevices {

  @Override
  public List<Camera> list() {
    List<Camera> cameras = new ArrayList<>();
    List<VideoDevice> devices = MediaDevices.getVideoCaptureDevices();
    for (int i = 0; i < devices.size(); i++) {
      VideoDevice device = devices.get(i);
      List<Mode> modes = new ArrayList<>();
      for (VideoCaptureCapability capability : MediaDevices.getVideoCaptureCapabilities(device)) {
        modes.add(new Mode(capability.width, capability.height, capability.frameRate));
      }
      cameras.add(new Camera(i, device.getName(), device.getDescriptor(), modes));
    }
    return cameras;
  }

  @Override
  public Capture open(Camera camera, Mode mode, Consumer<I420Frame> frames) throws CameraException {
    VideoDevice device = MediaDevices.getVideoCaptureDevices().stream()
        .filter(d -> d.getDescriptor().equals(camera.id()))
        .findFirst()
        .orElseThrow(() -> new CameraException("camera '" + camera.name() + "' is gone"));
    VideoCapture capture = new VideoCapture();
    try {
      capture.setVideoCaptureDevice(device);
      capture.setVideoCaptureCapability(new VideoCaptureCapability(mode.width(), mode.height(), mode.fps()));
      capture.setVideoSink(frame -> {
        try {
          frames.accept(toI420Frame(frame));
        } finally {
          frame.release();
        }
      });
      capture.start();
    } catch (RuntimeException | Error e) {
      capture.dispose();
      // libwebrtc reports a device held by another program or unplugged as a failed start.
      throw new CameraException("cannot open camera '" + camera.name() + "': " + e.getMessage());
    }
    return () -> {
      try {
        capture.stop();
      } finally {
        capture.dispose();
      }
    };
  }

  private static I420Frame toI420Frame(VideoFrame frame) {
    I420Buffer buffer = frame.buffer.toI420();
    try {
      int width = buffer.getWidth();
      int height = buffer.getHeight();
      I420Frame out = I420Frame.allocate(width, height,
          TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()));
      copy(buffer.getDataY(), buffer.getStrideY(), out.y(), width, height);
      copy(buffer.getDataU(), buffer.getStrideU(), out.u(), out.chromaWidth(), out.chromaHeight());
      copy(buffer.getDataV(), buffer.getStrideV(), out.v(), out.chromaWidth(), out.chromaHeight());
      return out;
    } finally {
      if (buffer != frame.buffer) {
        buffer.release();
      }
    }
  }

  private static void copy(ByteBuffer src, int stride, byte[] dst, int width, int height) {
    ByteBuffer in = src.duplicate();
    for (int row = 0; row < height; row++) {
      in.position(row * stride);
      in.get(dst, row * width, width);
    }
  }
}
