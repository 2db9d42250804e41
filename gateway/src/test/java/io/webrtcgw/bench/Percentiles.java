package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of a sample, nearest-rank. */
final class Percentiles {
  private final List<Double> sorted;

  Percentiles(List<? extends Number> values) {
    List<Double> copy = new ArrayList<>();
    for (Number value : values) {
      copy.add(value.doubleValue());
    }
    Collections.sort(copy);
    this.sorted = copy;
  }

  int count() {
    return sorted.size();
  }

  /** The smallest value with at least {@code p} percent of the sample at or below it. */
  double at(double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  double median() {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double min() {
    return sorted.isEmpty() ? Double.NaN : sorted.get(0);
  }

  double max() {
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
  }

  /** count, median, p95, p99, min, max into {@code node}. */
  ObjectNode writeTo(ObjectNode node) {
    node.put("count", count());
    node.put("median", round(median()));
    node.put("p95", round(at(95)));
    node.put("p99", round(at(99)));
    node.put("min", round(min()));
    node.put("max", round(max()));
    return node;
  }

  static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
