package io.webrtcgw.signaling.websocket;

import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingMeter;

/** A channel that tells the meter about every error, answer and close it carries. */
public final class MeteredChannel implements SignalingChannel {
  private final SignalingChannel channel;
  private final SignalingMeter meter;
  private boolean answered;

  public MeteredChannel(SignalingChannel channel, SignalingMeter meter) {
    this.channel = channel;
    this.meter = meter;
  }

  @Override
  public void send(ServerMessage message) {
    if (message instanceof ServerMessage.Error error) {
      meter.error(codeOf(error.code()));
    } else if (message instanceof ServerMessage.Answer) {
      boolean first;
      synchronized (this) {
        first = !answered;
        answered = true;
      }
      meter.answer(first);
    }
    channel.send(message);
  }

  @Override
  public void close(int code, String reason) {
    if (channel.isOpen()) {
      meter.closed(code);
    }
    channel.close(code, reason);
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public String peer() {
    return channel.peer();
  }

  private static ErrorCode codeOf(String wire) {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.wire().equals(wire)) {
        return code;
      }
    }
    return ErrorCode.INTERNAL;
  }
}
