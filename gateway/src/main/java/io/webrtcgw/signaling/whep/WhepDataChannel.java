package io.webrtcgw.signaling.whep;

import io.webrtcgw.media.LiveStream;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.SignalingException;
import io.webrtcgw.signaling.SourceNotice;
import io.webrtcgw.signaling.TokenBucket;
import io.webrtcgw.signaling.websocket.ClientMessage;
import io.webrtcgw.signaling.websocket.MessageCodec;
import io.webrtcgw.signaling.websocket.ServerMessage;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceState;

/**
 * What a WHEP viewer and the gateway say beside HTTP, on the data channel the viewer may open
 * (labelled {@value Session#CHANNEL_LABEL}): the viewer's {@code viewport} messages, so that a
 * WHEP viewer is encoded no larger than it shows the video, and the gateway's word when the
 * stream's source becomes unavailable, ends or fails. The messages are the WebSocket protocol's.
 */
final class WhepDataChannel implements Session.ChannelListener {
  /** A viewer reports its viewport on resize and visibility changes: a few a second at most. */
  private static final int BURST = 20;
  private static final double PER_SECOND = 5;

  private final Session session;
  private final LiveStream stream;
  private final TokenBucket rate = new TokenBucket(BURST, PER_SECOND, System::nanoTime);
  private final SourceListener sourceListener = this::sourceChanged;

  private WhepDataChannel(Session session, LiveStream stream) {
    this.session = session;
    this.stream = stream;
  }

  /** Listens to {@code session}'s data channel, and to the stream's source until the session ends. */
  static void attach(Session session, LiveStream stream) {
    WhepDataChannel channel = new WhepDataChannel(session, stream);
    session.listenToChannel(channel);
    stream.addListener(channel.sourceListener);
    session.ended().whenComplete((reason, error) -> stream.removeListener(channel.sourceListener));
  }

  @Override
  public void opened() {
    sourceChanged(stream.source().state(), stream.source().lastError());
  }

  @Override
  public void message(String text) {
    if (!rate.tryTake()) {
      return;
    }
    ClientMessage message;
    try {
      message = MessageCodec.decode(text);
    } catch (SignalingException e) {
      send(ServerMessage.Error.of(e.code(), e.getMessage()));
      return;
    }
    if (message instanceof ClientMessage.Viewport viewport) {
      session.viewport(viewport.width(), viewport.height(), viewport.visible());
    } else {
      send(ServerMessage.Error.of(ErrorCode.UNKNOWN_TYPE,
          "only viewport messages go on this channel; offers and candidates go to the WHEP resource"));
    }
  }

  private void sourceChanged(SourceState state, String error) {
    SourceNotice.of(stream.name(), state, error)
        .ifPresent(notice -> send(ServerMessage.Error.of(notice.code(), notice.message())));
  }

  private void send(ServerMessage message) {
    session.sendOnChannel(MessageCodec.encode(message));
  }
}
