package io.webrtcgw.testing;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import java.time.Clock;
import java.util.List;

/** Starts a real gateway on a free loopback port for one test class. */
public final class TestGateway {
  private TestGateway() {}

  public static Gateway start(StreamConfig... streams) throws Exception {
    return start(Limits.DEFAULT, streams);
  }

  public static Gateway start(Limits limits, StreamConfig... streams) throws Exception {
    return start(config(limits, streams));
  }

  /** A loopback config on a free port, for tests to adjust with {@code with...} before starting. */
  public static GatewayConfig config(Limits limits, StreamConfig... streams) {
    return GatewayConfig.fromJson("127.0.0.1", 0, List.of(streams), List.of(), limits);
  }

  public static Gateway start(GatewayConfig config) throws Exception {
    return Gateway.start(config, Clock.systemUTC());
  }
}
