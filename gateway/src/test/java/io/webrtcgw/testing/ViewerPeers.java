package io.webrtcgw.testing;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

/**
 * The webrtc-java side of a test's viewers: one factory on a headless audio module (a plain
 * factory aborts the JVM on a machine without sound), disposed together, factory first.
 */
public final class ViewerPeers implements AutoCloseable {
  private final HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
  private final PeerConnectionFactory factory = new PeerConnectionFactory(audio);

  public PeerConnectionFactory factory() {
    return factory;
  }

  @Override
  public void close() {
    factory.dispose();
    audio.dispose();
  }
}
