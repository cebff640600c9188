package io.kubegrade.e2e.bench;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grading on the real node (scripts/bench-cluster.sh): the chart installed with its defaults
 * (only pointed at the services on the host and the locally loaded images), then
 *
 * <ol>
 *   <li>{@code sequential N}: N submissions one after another, each timed through every hop as
 *       the API server's watch and the learner's WebSocket report them, plus the runner's own
 *       timeline from its log (JVM; Redis + source and browser + first page, which start together;
 *       grading);</li>
 *   <li>{@code rate R S}: open-loop arrivals at R per second for S seconds (each a new learner,
 *       so the per-user rate limit never applies), submit to VERDICT on the WebSocket.</li>
 * </ol>
 * Prints RESULT lines. Bounded: at most 400 submissions, and it waits at most {@code drain}
 * seconds after the last arrival.
 */
public final class ClusterBenchmark {
  private static final Pattern TIMELINE = Pattern.compile("timeline jvm=(\\d+)ms source=(\\d+)ms browser=(\\d+)ms grading=(\\d+)ms");

  /** What one submission went through, in ms since it was submitted. */
  record Hops(long accepted, long jobSeen, long podSeen, long scheduled, long containerRunning, long started,
      long verdict, long[] runner) {}

  public static void main(String[] args) throws Exception {
    int sequential = Integer.parseInt(args.length > 0 ? args[0] : "30");
    List<Double> rates = new ArrayList<>();
    for (String r : (args.length > 1 ? args[1] : "1,3").split(",")) {
      if (!r.isBlank() && !r.equals("none")) {
        rates.add(Double.parseDouble(r));
      }
    }
    int seconds = Integer.parseInt(args.length > 2 ? args[2] : "120");
    int drain = Integer.parseInt(args.length > 3 ? args[3] : "600");
    Cluster cluster = Cluster.get();
    // Pods created for each job: the hops below are a cold pod's (WarmPoolBenchmark compares warm ones).
    Release release = Release.install(cluster, "bench", "kubegrade-bench", Map.of("runner.warmPool.max", "0"));
    String source = Learner.sample("counter", "ACCEPTED/hooks.jsx");
    KubernetesClient k = cluster.admin();

    // Warm-up: the node's page cache holds the runner image after the first pod.
    release.learner("warmup").grade("counter", source, Duration.ofMinutes(3));

    List<Hops> hops = new ArrayList<>();
    for (int i = 0; i < sequential; i++) {
      try {
        Hops h = timeOne(k, release, source);
        hops.add(h);
        System.out.printf("SAMPLE %d submit->verdict %d ms, runner jvm/source/browser/grading %d/%d/%d/%d ms%n", i + 1, h.verdict(),
            h.runner()[0], h.runner()[1], h.runner()[2], h.runner()[3]);
      } catch (RuntimeException | AssertionError e) {
        System.out.println("RESULT seq_failure_" + (i + 1) + " 0 | " + e.toString().replace('\n', ' '));
      }
    }
    report(hops);

    ScheduledExecutorService arrivals = Executors.newScheduledThreadPool(4);
    for (double rate : rates) {
      openLoop(k, release, source, rate, seconds, drain, arrivals);
    }
    arrivals.shutdownNow();
    release.uninstall();
    System.exit(0);
  }

  private static Hops timeOne(KubernetesClient k, Release release, String source) throws Exception {
    Learner learner = release.learner("seq-" + System.nanoTime());
    // First sight of each object and state, by name: the job may be seen before submit returns its id.
    Map<String, Instant> seen = new ConcurrentHashMap<>();
    String[] id = new String[1];
    Instant t0 = Instant.now();
    try (Watch jobs = k.resources(GradingJob.class).inNamespace(release.namespace()).watch(new Watcher<>() {
          public void eventReceived(Action a, GradingJob j) {
            seen.putIfAbsent("job " + j.getMetadata().getName(), Instant.now());
          }

          public void onClose(WatcherException e) {}
        });
        Watch pods = k.pods().inNamespace(release.namespace()).withLabel(GradingJobLabels.MANAGED_BY, GradingJobLabels.OPERATOR)
            .watch(new Watcher<>() {
              public void eventReceived(Action a, Pod p) {
                String name = p.getMetadata().getName();
                Instant now = Instant.now();
                seen.putIfAbsent("pod " + name, now);
                if (p.getSpec().getNodeName() != null) {
                  seen.putIfAbsent("scheduled " + name, now);
                }
                if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null && p.getStatus().getContainerStatuses()
                    .stream().map(ContainerStatus::getState).anyMatch(s -> s.getRunning() != null || s.getTerminated() != null)) {
                  seen.putIfAbsent("running " + name, now);
                }
              }

              public void onClose(WatcherException e) {}
            })) {
      id[0] = learner.submit("counter", source);
      Instant accepted = Instant.now();
      Learner.Stream stream = learner.watch(id[0]);
      GradingEvent verdict = stream.awaitVerdict(Duration.ofMinutes(3));
      if (!verdict.verdict().status().name().equals("ACCEPTED")) {
        throw new IllegalStateException("expected ACCEPTED: " + verdict.toJson());
      }
      Instant verdictAt = stream.verdictArrival();
      Instant startedAt = stream.arrivalOf(EventType.STARTED);
      long[] runner = runnerTimeline(k, release.namespace(), id[0] + "-1");
      String pod = id[0] + "-1";
      return new Hops(since(t0, accepted), since(t0, seen.getOrDefault("job " + id[0], accepted)),
          since(t0, seen.getOrDefault("pod " + pod, accepted)), since(t0, seen.getOrDefault("scheduled " + pod, accepted)),
          since(t0, seen.getOrDefault("running " + pod, accepted)),
          since(t0, startedAt == null ? verdictAt : startedAt), since(t0, verdictAt), runner);
    }
  }

  static long since(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }

  /** The runner's "timeline" log line: jvm, source, browser, grading (ms); zeros when absent. */
  private static long[] runnerTimeline(KubernetesClient k, String ns, String pod) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      Pod p = k.pods().inNamespace(ns).withName(pod).get();
      if (p != null && p.getStatus() != null && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase()))) {
        Matcher m = TIMELINE.matcher(k.pods().inNamespace(ns).withName(pod).getLog());
        if (m.find()) {
          return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
        }
        break;
      }
      Thread.sleep(200);
    }
    return new long[4];
  }

  private static void report(List<Hops> all) {
    int n = all.size();
    stat("seq_submit_accepted", all, h -> h.accepted(), n, "HTTP submit: source to S3, metadata to MongoDB, GradingJob created, 202");
    stat("seq_submit_to_job_seen", all, h -> h.jobSeen(), n, "the GradingJob as the API server's watch reports it");
    stat("seq_job_to_pod_created", all, h -> h.podSeen() - h.jobSeen(), n, "operator: admit, presign, create the pod");
    stat("seq_pod_to_scheduled", all, h -> h.scheduled() - h.podSeen(), n, "scheduler binds it to the node");
    stat("seq_scheduled_to_container_running", all, h -> h.containerRunning() - h.scheduled(), n,
        "kubelet: sandbox, network, volumes, container start (image already on the node: no pull)");
    stat("seq_runner_jvm", all, h -> h.runner()[0], n, "runner: process start to main (JVM, class-data archive)");
    stat("seq_runner_source", all, h -> h.runner()[1], n, "runner: Redis connect + check, fetch the source from S3 (in parallel with the browser)");
    stat("seq_runner_browser", all, h -> h.runner()[2], n, "runner: chromedriver + Chromium start, first page ready (from main, in parallel with the source)");
    stat("seq_runner_grading", all, h -> h.runner()[3], n, "runner: grading (3 tests) and publishing the verdict, from the later of source and browser");
    stat("seq_running_to_started_event", all, h -> h.started() - h.containerRunning(), n,
        "container running to the STARTED event on the learner's WebSocket");
    stat("seq_started_to_verdict", all, h -> h.verdict() - h.started(), n, "STARTED to VERDICT on the WebSocket");
    stat("seq_job_to_verdict", all, h -> h.verdict() - h.jobSeen(), n, "GradingJob created to VERDICT on the WebSocket");
    stat("seq_submit_to_verdict", all, Hops::verdict, n, "HTTP submit to VERDICT on the WebSocket");
  }

  private static void stat(String name, List<Hops> all, java.util.function.ToLongFunction<Hops> f, int n, String what) {
    List<Long> values = new ArrayList<>();
    all.forEach(h -> values.add(f.applyAsLong(h)));
    System.out.printf("RESULT %s_p50 %d ms | %s, n=%d%n", name, percentile(values, 50), what, n);
    System.out.printf("RESULT %s_p90 %d ms%n", name, percentile(values, 90));
  }

  private static void openLoop(KubernetesClient k, Release release, String source, double rate, int seconds, int drain,
      ScheduledExecutorService arrivals) throws Exception {
    openLoop(release, source, rate, seconds, drain, arrivals, "rate" + String.valueOf(rate).replace(".", "_"));
  }

  /** Open-loop arrivals, RESULT lines named {@code tag}_...; a burst is a rate with one second of arrivals. */
  static void openLoop(Release release, String source, double rate, int seconds, int drain,
      ScheduledExecutorService arrivals, String tag) throws Exception {
    int count = (int) Math.min(400, Math.round(rate * seconds));
    long periodNanos = (long) (1_000_000_000L / rate);
    List<Learner.Stream> streams = Collections.synchronizedList(new ArrayList<>());
    Map<Learner.Stream, Instant> submittedAt = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    Instant startedAt = Instant.now();
    for (int i = 0; i < count; i++) {
      int n = i;
      arrivals.schedule(() -> {
        try {
          Learner learner = release.learner(tag + "-" + n + "-" + System.nanoTime());
          Instant t = Instant.now();
          Learner.Stream s = learner.watch(learner.submit("counter", source));
          submittedAt.put(s, t);
          streams.add(s);
        } catch (RuntimeException e) {
          failures.add(e.toString());
        }
      }, periodNanos * i, TimeUnit.NANOSECONDS);
    }
    long arrivalsEnd = start + periodNanos * count;
    // The queue, sampled while submissions arrive: jobs without a verdict yet.
    List<long[]> backlog = new ArrayList<>();
    long deadline = arrivalsEnd + TimeUnit.SECONDS.toNanos(drain);
    while (System.nanoTime() < deadline) {
      long open = List.copyOf(streams).stream().filter(s -> s.verdict() == null).count();
      backlog.add(new long[] {ms(System.nanoTime() - start), open});
      if (System.nanoTime() > arrivalsEnd && open == 0 && streams.size() + failures.size() == count) {
        break;
      }
      Thread.sleep(1000);
    }
    List<Long> latencies = new ArrayList<>();
    long lastVerdict = 0;
    for (Learner.Stream s : List.copyOf(streams)) {
      if (s.verdict() != null) {
        latencies.add(since(submittedAt.get(s), s.verdictArrival()));
        lastVerdict = Math.max(lastVerdict, since(startedAt, s.verdictArrival()));
      }
    }
    long done = latencies.size();
    long openAtArrivalsEnd = backlog.stream().filter(b -> b[0] <= ms(arrivalsEnd - start)).mapToLong(b -> b[1]).reduce((a, b) -> b).orElse(0);
    long wall = ms(System.nanoTime() - start);
    System.out.printf("RESULT %s_submitted %d | arrivals at %.1f/s for %ds, %d refused%n", tag, streams.size(), rate, seconds, failures.size());
    System.out.printf("RESULT %s_verdicts %d | within %ds of the last arrival%n", tag, done, drain);
    if (!latencies.isEmpty()) {
      System.out.printf("RESULT %s_p50 %d ms | submit to VERDICT on the WebSocket%n", tag, percentile(latencies, 50));
      System.out.printf("RESULT %s_p99 %d ms%n", tag, percentile(latencies, 99));
    }
    System.out.printf("RESULT %s_backlog_at_end_of_arrivals %d | submissions without a verdict when the last one arrived%n", tag,
        openAtArrivalsEnd);
    System.out.printf("RESULT %s_throughput %.2f per second | verdicts over the whole run (%d ms)%n", tag, done * 1000.0 / wall, wall);
    System.out.printf("RESULT %s_last_verdict %d ms | first arrival to the last verdict%n", tag, lastVerdict);
    if (!failures.isEmpty()) {
      System.out.println("RESULT " + tag + "_first_failure 0 | " + failures.get(0));
    }
  }

  static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
