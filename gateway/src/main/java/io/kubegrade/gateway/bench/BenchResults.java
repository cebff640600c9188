package io.kubegrade.gateway.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The figures' format every benchmark here prints ({@code RESULT name value rest}) and their percentiles. */
final class BenchResults {
  private BenchResults() {}

  /** One figure: the scripts read {@code value} by {@code name} into docs/*.md. */
  static void result(String name, long value, String rest) {
    System.out.println("RESULT " + name + " " + value + " " + rest);
  }

  /** The nearest-rank percentile {@code p} (1-100) of {@code values}, which must not be empty. */
  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
  }
}
