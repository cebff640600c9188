package io.kubegrade.runner.bench;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import io.kubegrade.runner.sink.EventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Measures the runner on the peer's task (a button "Click me" that becomes "Clicked" when clicked):
 * warm submission-to-verdict latency, throughput with the pool saturated, and cold start (process
 * start to verdict). Prints one "RESULT name value unit" line per figure for scripts/bench.sh.
 * Usage: RunnerBenchmark <runner jar> [warm N] [burst N] [cold N] [pool N]
 */
public final class RunnerBenchmark {
  /** The same checks, in the same order, as the peer's gradeLoaded(). */
  static final String TASK = """
      id: bench-click
      title: Click me
      statement: A button labelled Click me whose label becomes Clicked when clicked.
      tests:
        - name: the label changes on click
          steps:
            - expect: count
              target: button
              count: 1
            - expect: text
              target: button
              equals: Click me
            - do: click
              target: button
            - expect: text
              target: button
              equals: Clicked
      """;
  static final String CORRECT = """
      function App() {
        const [label, setLabel] = React.useState('Click me');
        return <button onClick={() => setLabel('Clicked')}>{label}</button>;
      }
      """;

  private RunnerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    int warmN = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int burstN = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    int coldN = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int poolN = args.length > 4 ? Integer.parseInt(args[4]) : Runtime.getRuntime().availableProcessors();
    Challenge task = ChallengeFormat.parse(TASK, "bench");

    try (GradingPool pool = GradingPool.start(PoolSettings.fromEnvironment(System.getenv()).withSize(1))) {
      for (int i = 0; i < 3; i++) {
        grade(pool, task, i);
      }
      List<Double> latency = new ArrayList<>();
      for (int i = 0; i < warmN; i++) {
        while (pool.readySlots() == 0) {
          Thread.sleep(5); // the warm pool's promise: a prepared page waits for the submission
        }
        long t0 = System.nanoTime();
        grade(pool, task, i);
        latency.add((System.nanoTime() - t0) / 1e6);
      }
      // The same checks without the hold (limits.hold: 0): a glimpse per expectation, as the peer does.
      Challenge glimpse = ChallengeFormat.parse(TASK + "limits:\n  hold: 0ms\n", "bench");
      List<Double> glimpsed = new ArrayList<>();
      for (int i = 0; i < warmN; i++) {
        while (pool.readySlots() == 0) {
          Thread.sleep(5);
        }
        long t0 = System.nanoTime();
        grade(pool, glimpse, i);
        glimpsed.add((System.nanoTime() - t0) / 1e6);
      }
      long cycleStart = System.nanoTime();
      for (int i = 0; i < warmN; i++) {
        grade(pool, task, i);
      }
      double cycle = (System.nanoTime() - cycleStart) / 1e6 / warmN;
      report("warm_median", median(latency), "ms", "submission in to verdict out, pool of 1 with a page ready, n=" + warmN);
      report("warm_p90", percentile(latency, 0.9), "ms", "");
      report("warm_nohold_median", median(glimpsed), "ms", "the same with limits.hold 0 (each expectation glimpsed once, as the peer does), n=" + warmN);
      report("warm_cycle", cycle, "ms", "back-to-back: each submitted as the previous verdict arrives, pool of 1");
    }

    try (GradingPool pool = GradingPool.start(PoolSettings.fromEnvironment(System.getenv()).withSize(poolN))) {
      List<CompletableFuture<Verdict>> warm = new ArrayList<>();
      for (int i = 0; i < poolN * 2; i++) {
        warm.add(submit(pool, task, i));
      }
      warm.forEach(CompletableFuture::join);
      long t0 = System.nanoTime();
      List<CompletableFuture<Verdict>> burst = new ArrayList<>();
      for (int i = 0; i < burstN; i++) {
        burst.add(submit(pool, task, i));
      }
      burst.forEach(f -> check(f.join()));
      double seconds = (System.nanoTime() - t0) / 1e9;
      report("throughput", burstN / seconds * 60, "per minute", burstN + " submissions, pool of " + poolN);
    }

    List<Double> cold = new ArrayList<>();
    Path source = Files.writeString(Files.createTempFile("bench", ".jsx"), CORRECT);
    Path challenge = Files.writeString(Files.createTempFile("bench", ".yaml"), TASK);
    for (int i = 0; i < coldN + 1; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("java", "-jar", jar.toString(), "grade", "--challenge", challenge.toString(), source.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      int first = p.getInputStream().read(); // the verdict is printed in one write, before shutdown
      long verdictAt = System.nanoTime();
      String out = (char) first + new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0 || !out.contains("\"ACCEPTED\"")) {
        throw new IllegalStateException("cold run failed: " + out);
      }
      if (i > 0) { // the first run warms the OS page cache
        cold.add((verdictAt - t0) / 1e6);
      }
    }
    report("cold_median", median(cold), "ms", "java -jar ... grade: JVM + browser start + verdict, n=" + coldN);
  }

  private static CompletableFuture<Verdict> submit(GradingPool pool, Challenge task, int i) {
    return pool.submit(new GradingRequest("bench-" + i + "-" + System.nanoTime(), task, CORRECT, 2), EventSink.DISCARD);
  }

  private static void grade(GradingPool pool, Challenge task, int i) {
    check(submit(pool, task, i).join());
  }

  private static void check(Verdict v) {
    if (v.status() != VerdictStatus.ACCEPTED) {
      throw new IllegalStateException("benchmark submission not accepted: " + v.message());
    }
  }

  private static double median(List<Double> xs) {
    return percentile(xs, 0.5);
  }

  private static double percentile(List<Double> xs, double p) {
    List<Double> sorted = xs.stream().sorted().toList();
    if (p == 0.5 && sorted.size() % 2 == 0) {
      return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * p) - 1));
  }

  private static void report(String name, double value, String unit, String note) {
    System.out.println(String.format(Locale.ROOT, "RESULT %s %.0f %s%s", name, value, unit, note.isEmpty() ? "" : " | " + note));
  }
}
