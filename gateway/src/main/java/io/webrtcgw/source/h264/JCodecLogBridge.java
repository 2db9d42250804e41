package io.webrtcgw.source.h264;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jcodec.common.logging.LogLevel;
import org.jcodec.common.logging.LogSink;
import org.jcodec.common.logging.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends JCodec's own log lines to SLF4J; JCodec would otherwise print them to standard output. */
public final class JCodecLogBridge implements LogSink {
  private static final Logger log = LoggerFactory.getLogger("org.jcodec");
  // JCodec's logger is a process-wide static that accepts sinks only before its first message, so
  // the bridge is installed once, by whichever source decodes first.
  private static final AtomicBoolean installed = new AtomicBoolean();

  private JCodecLogBridge() {}

  /** Installs the bridge once per process; later calls do nothing. */
  public static void install() {
    if (!installed.compareAndSet(false, true)) {
      return;
    }
    try {
      org.jcodec.common.logging.Logger.addSink(new JCodecLogBridge());
    } catch (IllegalStateException e) {
      log.debug("JCodec logged before the bridge was installed; its lines go to standard output");
    }
  }

  @Override
  public void postMessage(Message message) {
    // JCodec complains about every damaged frame; the source reports damage once in its own words,
    // so JCodec's lines are detail for whoever turns this logger up.
    if (!log.isDebugEnabled()) {
      return;
    }
    String text = message.getMessage();
    if (message.getArgs() != null && message.getArgs().length > 0) {
      text += " " + Arrays.toString(message.getArgs());
    }
    if (message.getLevel() == LogLevel.ERROR || message.getLevel() == LogLevel.WARN) {
      log.debug(text);
    } else {
      log.trace(text);
    }
  }
}
