package io.webrtcgw.media;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's named streams, fixed at start-up. */
public final class StreamRegistry implements AutoCloseable {
  private final Map<String, LiveStream> streams = new LinkedHashMap<>();

  public StreamRegistry(Collection<LiveStream> all) {
    for (LiveStream stream : all) {
      streams.put(stream.name(), stream);
    }
  }

  public Optional<LiveStream> find(String name) {
    return Optional.ofNullable(streams.get(name));
  }

  public List<LiveStream> all() {
    return List.copyOf(streams.values());
  }

  public List<StreamInfo> describe() {
    List<StreamInfo> out = new ArrayList<>();
    for (LiveStream stream : streams.values()) {
      out.add(stream.info());
    }
    return out;
  }

  @Override
  public void close() {
    for (LiveStream stream : streams.values()) {
      stream.close();
    }
  }
}
