package io.webrtcgw.source.rtsp;

/** Takes the interleaved frames that arrive on the RTSP connection, on the thread that reads it. */
@FunctionalInterface
interface InterleavedSink {
  InterleavedSink DISCARD = (channel, payload) -> {};

  void onFrame(int channel, byte[] payload);
}
