package io.webrtcgw.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A STUN or TURN server, as handed to viewers and used by the gateway itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IceServer(List<String> urls, String username, String credential) {
  public IceServer {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("an ICE server needs at least one URL");
    }
    for (String url : urls) {
      if (url == null || !url.matches("^(stun|stuns|turn|turns):.+")) {
        throw new IllegalArgumentException("ICE server URL must start with stun:, stuns:, turn: or turns:: " + url);
      }
    }
    urls = List.copyOf(urls);
  }
}
