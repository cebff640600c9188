package io.kubegrade.gateway.bench;

import static io.kubegrade.gateway.bench.BenchResults.percentile;
import static io.kubegrade.gateway.bench.BenchResults.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Many clients subscribing at once, against a running platform, from the outside: {@code watchers}
 * WebSocket clients of one fresh submission (a class watching one learner's run), and
 * {@code learners} learners each opening their own fresh submission, all at the same moment. Each
 * client leaves at its first event (the replayed QUEUED): that is when its stream is registered
 * and has read its history. Per round: the wall time from the first connect to the last first
 * event, and per client the handshake (HTTP upgrade and token check) and the first event. The
 * gateway's own timers split the rest: token checks, the ownership lookup (and how many MongoDB
 * finds it cost), the first history read. {@code warmup} rounds of each kind come first, not
 * reported (the gateway's JIT).
 *
 * <p>usage: SubscribeBenchmark &lt;base-url&gt; &lt;watchers&gt; &lt;learners&gt; &lt;rounds&gt; &lt;warmup&gt;
 */
public final class SubscribeBenchmark {
  private static final String SOURCE = "export default function App() { return <button>Click me</button>; }";

  private SubscribeBenchmark() {}

  public static void main(String[] args) throws Exception {
    PlatformClient platform = new PlatformClient(args[0]);
    int watchers = Integer.parseInt(args[1]);
    int learners = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    // Both kinds warm up before either is measured: the gateway's JIT is still compiling after the
    // first thousands of connections, and whichever kind came first would pay for it.
    run(platform, "warm-up-watchers", watchers, 1, 0, warmup);
    run(platform, "warm-up-learners", 1, learners, 0, warmup);
    run(platform, "watchers", watchers, 1, rounds, 0);
    run(platform, "learners", 1, learners, rounds, 0);
  }

  /** {@code submissions} fresh submissions of their own learners, each opened by {@code each} clients at once. */
  private static void run(PlatformClient platform, String name, int each, int submissions, int rounds, int warmup)
      throws Exception {
    List<Long> walls = new ArrayList<>();
    List<Long> handshakes = new ArrayList<>();
    List<Long> firsts = new ArrayList<>();
    Map<String, Double> before = null;
    for (int round = 0; round < warmup + rounds; round++) {
      List<String[]> targets = new ArrayList<>();
      for (int s = 0; s < submissions; s++) {
        String token = platform.token("subscribe-" + name + "-" + round + "-" + s);
        targets.add(new String[] {token, platform.submit(token, SOURCE)});
      }
      if (round == warmup) {
        before = platform.metrics();
      }
      long start = System.nanoTime();
      List<CompletableFuture<long[]>> clients = new ArrayList<>();
      for (String[] target : targets) {
        for (int c = 0; c < each; c++) {
          clients.add(platform.subscribeOnce(target[0], target[1]));
        }
      }
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
      long wall = System.nanoTime() - start;
      if (round >= warmup) {
        walls.add(wall);
        for (CompletableFuture<long[]> client : clients) {
          handshakes.add(client.get()[0]);
          firsts.add(client.get()[1]);
        }
      }
    }
    if (rounds == 0) {
      return;
    }
    Map<String, Double> after = platform.metrics();
    int clients = each * submissions;
    String what = clients + " clients at once (" + (submissions == 1 ? "one submission" : submissions + " submissions, one client each")
        + "), " + rounds + " rounds";
    result(name + "_wall_p50", ms(percentile(walls, 50)), "ms | first connect to the last client's first event, " + what);
    result(name + "_wall_max", ms(percentile(walls, 100)), "ms");
    result(name + "_handshake_p50", ms(percentile(handshakes, 50)), "ms | per client: connect to the end of the WebSocket handshake");
    result(name + "_handshake_p99", ms(percentile(handshakes, 99)), "ms");
    result(name + "_first_event_p50", ms(percentile(firsts, 50)), "ms | per client: connect to its first event (history read)");
    result(name + "_first_event_p99", ms(percentile(firsts, 99)), "ms");
    int measured = clients * rounds;
    phase(name + "_token_check", before, after, "kubegrade_token_checks_seconds", "outcome=\"valid\"", measured,
        "HS256 signature and claims (the gateway's timer; every HTTP request of the round included)");
    phase(name + "_ownership", before, after, "kubegrade_stream_subscribe_seconds", "phase=\"ownership\"", measured,
        "is the submission the caller's (shared and remembered per submission)");
    phase(name + "_history", before, after, "kubegrade_stream_subscribe_seconds", "phase=\"history\"", measured,
        "the stream's first read of the submission's log in Redis");
    double finds = delta(before, after, "mongodb_driver_commands_seconds_count", "command=\"find\"", "collection=\"submissions\"");
    result(name + "_mongodb_finds", Math.round(finds), "| MongoDB finds on submissions during the " + rounds + " rounds, for "
        + measured + " clients of " + submissions * rounds + " submissions");
  }

  /** The mean time of one {@code timer} call over the measured rounds, and how many calls there were. */
  private static void phase(String name, Map<String, Double> before, Map<String, Double> after, String timer, String label,
      int clients, String what) {
    double count = delta(before, after, timer + "_count", label);
    double seconds = delta(before, after, timer + "_sum", label);
    result(name + "_mean", count == 0 ? -1 : Math.round(seconds * 1_000_000 / count), "us | " + what + "; " + Math.round(count)
        + " calls for " + clients + " clients, " + Math.round(seconds * 1000) + " ms in all (concurrent calls overlap)");
  }

  /** How much the samples whose key starts with {@code name} and has every one of {@code labels} grew. */
  private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String... labels) {
    return sum(after, name, labels) - sum(before, name, labels);
  }

  private static double sum(Map<String, Double> samples, String name, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(name + "{") && List.of(labels).stream().allMatch(key::contains)) {
        total += e.getValue();
      }
    }
    return total;
  }

  private static long ms(long nanos) {
    return Math.round(nanos / 1e6);
  }
}
