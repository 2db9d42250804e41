package io.webrtcgw.source.camera;

import io.webrtcgw.source.I420Frame;
import java.util.List;
import java.util.function.Consumer;

/** The machine's cameras: listing them and capturing from one. Real or fake (tests). */
public interface CameraDevices {

  /** A camera as the system names it. */
  record Camera(int index, String name, String id, List<Mode> modes) {
    public Camera {
      modes = List.copyOf(modes);
    }
  }

  /** One capture mode a camera offers. */
  record Mode(int width, int height, int fps) {
    @Override
    public String toString() {
      return width + "x" + height + "@" + fps;
    }
  }

  /** The cameras present now, in system order. */
  List<Camera> list();

  /**
   * Starts capturing; frames go to {@code frames} on the capture thread.
   *
   * @throws CameraException when the camera cannot be opened (gone, or busy in another program)
   */
  Capture open(Camera camera, Mode mode, Consumer<I420Frame> frames) throws CameraException;

  /** A running capture; {@link #close()} stops it and frees the device. */
  interface Capture extends AutoCloseable {
    @Override
    void close();
  }

  /** The camera could not be opened or listed. */
  class CameraException extends Exception {
    private static final long serialVersionUID = 1L;

    public CameraException(String message) {
      super(message);
    }
  }
}
