package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceFactory;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.camera.CameraDevices;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** http(s):// URIs open an MJPEG source without touching the network; bad ones say why. */
class MjpegSourceFactoryTest {
  private final SourceFactory factory = new SourceFactory(Clock.systemUTC(), new CameraDevices() {
    @Override
    public List<Camera> list() {
      return List.of();
    }

    @Override
    public Capture open(Camera camera, Mode mode, java.util.function.Consumer<io.webrtcgw.source.I420Frame> frames) {
      throw new UnsupportedOperationException();
    }
  }, spec -> {
    throw new AssertionError("an HTTP camera decodes no H.264");
  });

  @Test
  void httpAndHttpsUrisOpenAnIdleMjpegSource() throws SourceException {
    for (String uri : List.of("http://admin:pw1234@192.0.2.10:81/stream", "https://cam.example/ISAPI/Streaming/channels/101/picture")) {
      try (VideoSource source = factory.open(StreamConfig.of("cam", uri))) {
        MjpegSource mjpeg = assertInstanceOf(MjpegSource.class, source);
        assertEquals("mjpeg", source.kind());
        assertEquals(SourceState.IDLE, source.state());
        assertFalse(mjpeg.maskedUrl().contains("pw1234"), mjpeg.maskedUrl());
      }
    }
  }

  @Test
  void aBadUrlIsRefusedAtStartupWithoutThePassword() {
    SourceException e = assertThrows(SourceException.class,
        () -> factory.open(StreamConfig.of("cam", "http://admin:pw1234@cam:70000/stream")));
    assertTrue(e.getMessage().startsWith("stream 'cam': ") && e.getMessage().contains("port"), e.getMessage());
    assertFalse(e.getMessage().contains("pw1234"), e.getMessage());
  }
}
