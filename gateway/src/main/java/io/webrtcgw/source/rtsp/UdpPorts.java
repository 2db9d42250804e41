package io.webrtcgw.source.rtsp;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * A pair of local UDP sockets for one session's RTP and RTCP: an even port and the one above it,
 * as RFC 3550 asks, when the system has such a pair free; two free ports otherwise.
 */
final class UdpPorts implements AutoCloseable {
  private static final int ATTEMPTS = 20;
  private static final int RECEIVE_BUFFER = 4 << 20;

  private final DatagramSocket rtp;
  private final DatagramSocket rtcp;

  private UdpPorts(DatagramSocket rtp, DatagramSocket rtcp) {
    this.rtp = rtp;
    this.rtcp = rtcp;
  }

  static UdpPorts open() throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      DatagramSocket first = bind(0);
      int port = first.getLocalPort();
      if (port % 2 == 0 && port < 65535) {
        try {
          return new UdpPorts(first, bind(port + 1));
        } catch (SocketException e) {
          // Taken: try another pair.
        }
      }
      first.close();
    }
    DatagramSocket rtp = bind(0);
    try {
      return new UdpPorts(rtp, bind(0));
    } catch (IOException e) {
      rtp.close();
      throw e;
    }
  }

  private static DatagramSocket bind(int port) throws SocketException {
    DatagramSocket socket = new DatagramSocket(null);
    try {
      socket.setReuseAddress(false);
      socket.setReceiveBufferSize(RECEIVE_BUFFER);
      socket.bind(new InetSocketAddress(port));
      return socket;
    } catch (SocketException e) {
      socket.close();
      throw e;
    }
  }

  DatagramSocket rtp() {
    return rtp;
  }

  DatagramSocket rtcp() {
    return rtcp;
  }

  int[] ports() {
    return new int[] {rtp.getLocalPort(), rtcp.getLocalPort()};
  }

  @Override
  public void close() {
    rtp.close();
    rtcp.close();
  }
}
