package io.kubegrade.gateway.bench;

import static io.kubegrade.gateway.bench.BenchResults.percentile;
import static io.kubegrade.gateway.bench.BenchResults.result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures a running platform from the outside, as a front-end app sees it: HTTP submit, then the
 * WebSocket event stream until the verdict. Run by scripts/bench-platform.sh against the local
 * platform; prints RESULT lines.
 * usage: PlatformBenchmark <base-url> <solution.jsx> <sequential N> <burst N> <watchers N>
 */
public final class PlatformBenchmark {
  private static PlatformClient platform;

  private PlatformBenchmark() {}

  public static void main(String[] args) throws Exception {
    platform = new PlatformClient(args[0]);
    String source = Files.readString(Path.of(args[1]));
    int sequential = Integer.parseInt(args[2]);
    int burst = Integer.parseInt(args[3]);
    int watchers = Integer.parseInt(args[4]);

    // Warm-up: the JIT on both sides, the challenge cache.
    for (int i = 0; i < 3; i++) {
      String token = platform.token("warmup-" + i);
      platform.verdict(token, platform.submit(token, source), 1).get(60, TimeUnit.SECONDS);
    }

    List<Long> accept = new ArrayList<>();
    List<Long> endToEnd = new ArrayList<>();
    String token = null;
    for (int i = 0; i < sequential; i++) {
      if (i % 20 == 0) {
        token = platform.token("seq-" + i); // stays under the per-user rate limit
      }
      long t0 = System.nanoTime();
      String id = platform.submit(token, source);
      long t1 = System.nanoTime();
      platform.verdict(token, id, 1).get(60, TimeUnit.SECONDS);
      long t2 = System.nanoTime();
      accept.add((t1 - t0) / 1_000_000);
      endToEnd.add((t2 - t0) / 1_000_000);
    }
    result("submit_median", median(accept), "ms | POST /submissions to 202 (S3 put, MongoDB insert, QUEUED, dispatch), n=" + sequential);
    result("e2e_median", median(endToEnd), "ms | POST to VERDICT on the WebSocket, one at a time, n=" + sequential);
    result("e2e_p90", percentile(endToEnd, 90), "ms");

    long b0 = System.nanoTime();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      String t = platform.token("burst-" + i);
      all.add(platform.verdict(t, platform.submit(t, source), 1));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    long burstMs = (System.nanoTime() - b0) / 1_000_000;
    result("burst_throughput", Math.round(burst * 60_000.0 / burstMs), "per minute | " + burst
        + " submissions at once, all verdicts received, " + burstMs + " ms");

    String t = platform.token("fanout");
    long f0 = System.nanoTime();
    String id = platform.submit(t, source);
    platform.verdict(t, id, watchers).get(60, TimeUnit.SECONDS);
    result("fanout_all_verdicts", (System.nanoTime() - f0) / 1_000_000, "ms | POST to VERDICT at every one of "
        + watchers + " WebSocket clients of one submission");
  }

  private static long median(List<Long> values) {
    return percentile(values, 50);
  }
}
