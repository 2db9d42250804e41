package io.webrtcgw.source;

/** Told when a source changes state, e.g. to tell viewers that a file cannot be played. */
@FunctionalInterface
public interface SourceListener {
  SourceListener NONE = (state, error) -> {};

  void onStateChange(SourceState state, String error);
}
