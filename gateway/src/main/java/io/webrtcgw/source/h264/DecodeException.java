package io.webrtcgw.source.h264;

/** An access unit could not be decoded; the subclass says whether to skip it, give up, or start a new decoder. */
public class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The unit is damaged: skip to the next key frame after {@link StreamDecoder#reset}. */
  public static final class Damaged extends DecodeException {
    private static final long serialVersionUID = 1L;

    public Damaged(String message) {
      super(message);
    }
  }

  /**
   * Decoding took longer than its budget, and the decoder doing it was ended (JCodec loops forever
   * on some damaged input, and a Java thread cannot be stopped): the next unit gets a fresh one.
   */
  public static final class Overrun extends DecodeException {
    private static final long serialVersionUID = 1L;

    public Overrun(String message) {
      super(message);
    }
  }
}
