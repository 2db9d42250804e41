package io.webrtcgw.source;

/** Receives the frames a {@link VideoSource} produces, on the source's own thread. Must not block. */
@FunctionalInterface
public interface FrameSink {
  void onFrame(I420Frame frame);
}
