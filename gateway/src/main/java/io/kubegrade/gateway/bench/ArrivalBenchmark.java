package io.kubegrade.gateway.bench;

import static io.kubegrade.gateway.bench.BenchResults.percentile;
import static io.kubegrade.gateway.bench.BenchResults.result;

import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.VerdictStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Submissions arriving at fixed rates, open-loop (an arrival never waits for an earlier verdict),
 * against a running platform, measured from the outside: arrival to 202, arrival to VERDICT on the
 * submission's WebSocket. Each verdict's events say where its time went (QUEUED, STARTED and
 * VERDICT carry the writer's clock: one machine, one clock), and the gateway's own timers say where
 * a submit's went. Prints RESULT lines for scripts/bench-arrivals.sh.
 * usage: ArrivalBenchmark <base-url> <solution.jsx> <rates, e.g. 1,2,5> <seconds per rate> <drain seconds>
 */
public final class ArrivalBenchmark {
  private static final List<String> SUBMIT_PHASES = List.of("source", "metadata", "owner", "queued", "dispatch");

  /** One arrival, as it went. Times in ms since the rate's start; -1 when it did not happen. */
  private record Arrival(long due, long accepted, long queued, long started, long verdictAt, long received, String failure) {}

  private ArrivalBenchmark() {}

  public static void main(String[] args) throws Exception {
    PlatformClient platform = new PlatformClient(args[0]);
    String source = Files.readString(Path.of(args[1]));
    List<Double> rates = java.util.Arrays.stream(args[2].split(",")).map(Double::parseDouble).toList();
    int seconds = Integer.parseInt(args[3]);
    int drain = Integer.parseInt(args[4]);

    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    ExecutorService submitters = Executors.newCachedThreadPool();
    try {
      // Warm-up: both sides' JIT, the challenge cache, one submission per browser at least.
      for (int i = 0; i < 6; i++) {
        String token = platform.token("arrivals-warmup-" + i);
        platform.verdict(token, platform.submit(token, source), 1).get(60, TimeUnit.SECONDS);
      }
      for (double rate : rates) {
        run(platform, source, rate, seconds, drain, clock, submitters);
      }
    } finally {
      clock.shutdownNow();
      submitters.shutdownNow();
    }
  }

  private static void run(PlatformClient platform, String source, double rate, int seconds, int drain,
      ScheduledExecutorService clock, ExecutorService submitters) throws Exception {
    int n = (int) Math.round(rate * seconds);
    String name = "r" + (rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate).replace('.', '_'));
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tokens.add(platform.token("arrivals-" + name + "-" + i)); // one learner per arrival: no per-user turns
    }
    Map<String, Double> before = platform.metrics();
    long origin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    List<CompletableFuture<Arrival>> arrivals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long due = Math.round(i * 1000.0 / rate);
      String token = tokens.get(i);
      CompletableFuture<Arrival> arrival = new CompletableFuture<>();
      arrivals.add(arrival);
      long delay = origin + TimeUnit.MILLISECONDS.toNanos(due) - System.nanoTime();
      clock.schedule(() -> submitters.execute(() -> arrive(platform, token, source, origin, due, arrival)),
          delay, TimeUnit.NANOSECONDS);
    }
    long end = origin + TimeUnit.SECONDS.toNanos(seconds);
    long wait = end - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    long backlog = arrivals.stream().filter(a -> !a.isDone()).count();
    long accepted = arrivals.stream().filter(a -> a.isDone() && a.join().received() >= 0).count();
    try {
      CompletableFuture.allOf(arrivals.toArray(CompletableFuture[]::new)).get(drain, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // reported below: what had no verdict by then
    }
    Map<String, Double> after = platform.metrics();
    List<Arrival> done = new ArrayList<>();
    long failed = 0;
    for (CompletableFuture<Arrival> a : arrivals) {
      if (a.isDone() && !a.isCompletedExceptionally()) {
        Arrival x = a.join();
        if (x.failure() == null) {
          done.add(x);
        } else {
          failed++;
        }
      }
    }
    long unfinished = n - done.size() - failed;
    String label = rate + "/s for " + seconds + " s";
    result(name + "_arrivals", n, "submissions | " + label + ", open-loop");
    result(name + "_verdicts", done.size(), "| " + failed + " failed, " + unfinished + " without a verdict " + drain
        + " s after the last arrival");
    result(name + "_backlog_at_end", backlog, "submissions without a verdict when arrivals stopped (" + accepted
        + " done by then)");
    if (done.isEmpty()) {
      return;
    }
    List<Long> e2e = done.stream().map(a -> a.received() - a.due()).toList();
    result(name + "_e2e_p50", percentile(e2e, 50), "ms | arrival to VERDICT on the WebSocket");
    result(name + "_e2e_p99", percentile(e2e, 99), "ms");
    result(name + "_e2e_max", percentile(e2e, 100), "ms");
    int quarter = Math.max(1, done.size() / 4);
    result(name + "_e2e_first_quarter_p50", percentile(e2e.subList(0, quarter), 50), "ms | the first quarter of arrivals");
    result(name + "_e2e_last_quarter_p50", percentile(e2e.subList(e2e.size() - quarter, e2e.size()), 50),
        "ms | the last quarter: growing from the first means the queue grows at this rate");
    phase(name, "accept", done, a -> a.accepted() - a.due(), "arrival to 202 (HTTP, S3 put, MongoDB insert, owner, QUEUED, dispatch)");
    phase(name, "queue_wait", done, a -> a.started() - a.queued(), "QUEUED to STARTED (dispatch, queue wait, a browser's page)");
    phase(name, "grading", done, a -> a.verdictAt() - a.started(), "STARTED to VERDICT written (compile, mount, tests, console, screenshot)");
    phase(name, "delivery", done, a -> a.received() - a.verdictAt(), "VERDICT written to received on the WebSocket (event log, pub/sub, gateway, socket)");
    for (String phase : SUBMIT_PHASES) {
      String key = "{phase=\"" + phase + "\"}";
      double count = delta(before, after, "kubegrade_submit_phase_seconds_count" + key);
      double sum = delta(before, after, "kubegrade_submit_phase_seconds_sum" + key);
      if (count > 0) {
        result(name + "_submit_" + phase, Math.round(sum / count * 1_000_000), "µs mean | the gateway's own timer, "
            + (long) count + " submits");
      }
    }
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
  }

  private static void phase(String name, String phase, List<Arrival> done, java.util.function.ToLongFunction<Arrival> f, String what) {
    List<Long> values = done.stream().mapToLong(f).boxed().toList();
    result(name + "_" + phase + "_p50", percentile(values, 50), "ms | " + what);
    result(name + "_" + phase + "_p99", percentile(values, 99), "ms");
  }

  private static void arrive(PlatformClient platform, String token, String source, long origin, long due,
      CompletableFuture<Arrival> arrival) {
    try {
      String id = platform.submit(token, source);
      long accepted = sinceOrigin(origin);
      long[] received = {-1};
      platform.stream(token, id, e -> {
        if (e.isTerminal()) {
          received[0] = sinceOrigin(origin);
        }
      }).whenComplete((events, error) -> {
        if (error != null) {
          arrival.complete(new Arrival(due, accepted, -1, -1, -1, -1, error.toString()));
          return;
        }
        long wall = System.currentTimeMillis() - sinceOrigin(origin); // the wall clock at the origin
        GradingEvent verdict = events.get(events.size() - 1);
        String failure = verdict.verdict() != null && verdict.verdict().status() == VerdictStatus.ACCEPTED ? null
            : "not accepted: " + (verdict.verdict() == null ? verdict.type() : verdict.verdict().message());
        arrival.complete(new Arrival(due, accepted, at(events, EventType.QUEUED, wall), at(events, EventType.STARTED, wall),
            verdict.at().toEpochMilli() - wall, received[0], failure));
      });
    } catch (Exception e) {
      arrival.complete(new Arrival(due, -1, -1, -1, -1, -1, e.toString()));
    }
  }

  /** When the first event of {@code type} was written, in ms since the origin. */
  private static long at(List<GradingEvent> events, EventType type, long wall) {
    return events.stream().filter(e -> e.type() == type).findFirst().map(e -> e.at().toEpochMilli() - wall).orElse(-1L);
  }

  private static long sinceOrigin(long origin) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - origin);
  }
}
