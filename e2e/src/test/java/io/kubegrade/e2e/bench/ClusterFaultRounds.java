package io.kubegrade.e2e.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The faults only Kubernetes can deal, repeated enough to trust (run by scripts/reliability-cluster.sh
 * on the node of scripts/cluster.sh): the chart installed with pods created per job and two
 * operator replicas, then
 * <ol>
 *   <li>{@code pod_delete}: a runner pod deleted (as a drain or an admin would: with its grace
 *       period) once its submission has STARTED - mid-grading, the solution being slowed down;</li>
 *   <li>{@code leader_kill}: four submissions in flight, the leading operator replica killed
 *       (no grace, as a lost node would take it) once one of them has its pod.</li>
 * </ol>
 * Every submission is checked for what docs/reliability.md promises: its stream from seq 1 without
 * a gap or a repeat, exactly one VERDICT, last; its GradingJob finished with that same verdict; no
 * runner pod of it left running, and never two pods for one attempt. Prints RESULT lines.
 * usage: ClusterFaultRounds [pod_delete rounds] [leader_kill rounds]   (defaults 20 10)
 */
public final class ClusterFaultRounds {
  private static final String NAMESPACE = "kubegrade-faults";
  private static final Duration WITHIN = Duration.ofMinutes(5);
  /**
   * The catalogue's accepted counter, slowed down: each click counts 0.6 s later (within the default
   * step timeout of 1 s), so grading takes seconds and a pod deleted at STARTED is deleted mid-grading.
   */
  static final String SLOW_COUNTER = """
      import { useState } from 'react';

      export default function App() {
        const [count, setCount] = useState(0);
        return (
          <div>
            <p id="count">{count}</p>
            <button onClick={() => setTimeout(() => setCount(c => c + 1), 600)}>Increment</button>
          </div>
        );
      }
      """;

  private ClusterFaultRounds() {}

  public static void main(String[] args) throws Exception {
    int podRounds = Integer.parseInt(args.length > 0 ? args[0] : "20");
    int leaderRounds = Integer.parseInt(args.length > 1 ? args[1] : "10");
    Cluster cluster = Cluster.get();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("gateway.replicas", "1");
    values.put("operator.replicas", "2");
    values.put("operator.maxRunningPods", "2");
    values.put("runner.warmPool.max", "0");
    Release release = Release.install(cluster, "faults", NAMESPACE, values);
    try {
      podsDeletedWhileGrading(release, podRounds);
      leadersKilledWithJobsInFlight(release, leaderRounds);
    } finally {
      release.uninstall();
    }
    System.exit(0); // the learners' WebSocket clients keep non-daemon threads
  }

  private static void podsDeletedWhileGrading(Release release, int rounds) {
    KubernetesClient k = release.cluster().admin();
    Outcomes outcomes = new Outcomes(release);
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      Learner learner = release.learner("pod-delete-" + i + "-" + System.nanoTime());
      String id = learner.submit("counter", SLOW_COUNTER);
      Learner.Stream stream = learner.watch(id);
      awaitUntil(() -> stream.arrivalOf(EventType.STARTED) != null, WITHIN, "STARTED of " + id);
      k.pods().inNamespace(NAMESPACE).withName(id + "-1").delete();
      outcomes.check(stream);
    }
    result("pod_delete_rounds", rounds, "rounds, the runner pod deleted (with its grace period) once its submission STARTED");
    outcomes.report("pod_delete", (System.nanoTime() - t0) / 1_000_000);
  }

  private static void leadersKilledWithJobsInFlight(Release release, int rounds) {
    KubernetesClient k = release.cluster().admin();
    Outcomes outcomes = new Outcomes(release);
    List<Long> takeovers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      release.awaitReady(Duration.ofMinutes(4));
      String leader = awaitLeader(k, null);
      Learner learner = release.learner("leader-kill-" + i + "-" + System.nanoTime());
      List<Learner.Stream> streams = new ArrayList<>();
      for (int j = 0; j < 4; j++) {
        streams.add(learner.watch(learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"))));
      }
      awaitUntil(() -> streams.stream().anyMatch(s -> {
        GradingJob job = release.job(s.id());
        return job != null && job.getStatus() != null && job.getStatus().podName() != null;
      }), WITHIN, "a runner pod for round " + i);
      Instant killed = Instant.now();
      k.pods().inNamespace(NAMESPACE).withName(leader).withGracePeriod(0).delete();
      awaitLeader(k, leader);
      takeovers.add(Duration.between(killed, Instant.now()).toMillis());
      streams.forEach(outcomes::check);
    }
    result("leader_kill_rounds", rounds, "rounds, the leading operator killed (no grace) with 4 submissions in flight");
    takeovers.sort(null);
    result("leader_kill_takeover_p50", takeovers.get(takeovers.size() / 2), "ms for the standby to hold the Lease");
    result("leader_kill_takeover_max", takeovers.get(takeovers.size() - 1), "ms");
    outcomes.report("leader_kill", (System.nanoTime() - t0) / 1_000_000);
  }

  /** The operator pod holding the leader Lease, once it is not {@code not}. */
  private static String awaitLeader(KubernetesClient k, String not) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      for (Lease lease : k.leases().inNamespace(NAMESPACE).list().getItems()) {
        String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (holder == null || (not != null && holder.contains(not))) {
          continue;
        }
        for (Pod p : k.pods().inNamespace(NAMESPACE).withLabel(GradingJobLabels.COMPONENT, "operator").list().getItems()) {
          if (holder.contains(p.getMetadata().getName()) && p.getMetadata().getDeletionTimestamp() == null) {
            return p.getMetadata().getName();
          }
        }
      }
      sleep(250);
    }
    throw new IllegalStateException("no operator leads" + (not == null ? "" : " other than " + not));
  }

  /** What each submission of a round came to, and which promises it broke. */
  private static final class Outcomes {
    private final Release release;
    private final Map<String, Integer> verdicts = new TreeMap<>();
    private final Map<Long, Integer> attempts = new TreeMap<>();
    private final Map<String, Integer> broken = new TreeMap<>();
    private final List<Long> ends = new ArrayList<>();
    private int checked;

    Outcomes(Release release) {
      this.release = release;
    }

    void check(Learner.Stream stream) {
      checked++;
      String problem = problem(stream);
      if (problem != null) {
        broken.merge(problem, 1, Integer::sum);
        System.err.println("faults: " + stream.id() + ": " + problem);
      }
    }

    private String problem(Learner.Stream stream) {
      try {
        stream.awaitVerdict(WITHIN);
        stream.assertComplete();
      } catch (AssertionError e) {
        return "stream: " + e.getMessage().lines().findFirst().orElse("");
      }
      List<GradingEvent> events = stream.events();
      GradingEvent verdict = stream.verdict();
      verdicts.merge(verdict.verdict().status().name(), 1, Integer::sum);
      ends.add(Duration.between(events.get(0).at(), verdict.at()).toMillis());
      KubernetesClient k = release.cluster().admin();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      String last = "";
      while (System.nanoTime() < deadline) {
        GradingJob job = release.job(stream.id());
        List<Pod> pods = k.pods().inNamespace(NAMESPACE).withLabel(GradingJobLabels.SUBMISSION, stream.id()).list().getItems();
        boolean finished = job != null && job.getStatus() != null && job.getStatus().phase() != null
            && job.getStatus().phase().isFinal() && job.getStatus().verdict() != null;
        boolean running = pods.stream().anyMatch(p -> List.of("Pending", "Running").contains(p.getStatus().getPhase())
            && p.getMetadata().getDeletionTimestamp() == null);
        long perAttempt = pods.stream().map(p -> p.getMetadata().getLabels().get(GradingJobLabels.ATTEMPT)).distinct().count();
        if (perAttempt != pods.size()) {
          return "two runner pods for one attempt";
        }
        if (finished && !running) {
          if (!job.getStatus().verdict().status().equals(verdict.verdict().status().name())) {
            return "the GradingJob says " + job.getStatus().verdict().status() + ", the stream " + verdict.verdict().status();
          }
          attempts.merge(job.getStatus().attempts() == null ? 0L : job.getStatus().attempts().longValue(), 1, Integer::sum);
          return null;
        }
        last = finished ? "a runner pod still running after the verdict" : "the GradingJob not finished after the verdict";
        sleep(500);
      }
      return last;
    }

    void report(String round, long ms) {
      long bad = broken.values().stream().mapToLong(Integer::longValue).sum();
      result(round + "_checked", checked, "submissions checked");
      result(round + "_ok", checked - bad, "ended exactly once, gap-free, the GradingJob agreeing, no pod left; "
          + bad + " did not" + (broken.isEmpty() ? "" : ": " + broken));
      result(round + "_verdicts", checked - bad, "with verdicts " + verdicts + ", attempts " + attempts);
      result(round + "_wall", ms, "ms for the whole round");
      if (!ends.isEmpty()) {
        List<Long> sorted = new ArrayList<>(ends);
        sorted.sort(null);
        result(round + "_queued_to_verdict_p50", sorted.get(sorted.size() / 2), "ms (QUEUED to VERDICT, event clocks)");
        result(round + "_queued_to_verdict_max", sorted.get(sorted.size() - 1), "ms");
      }
    }
  }

  private interface Condition {
    boolean holds();
  }

  private static void awaitUntil(Condition condition, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + within);
      }
      sleep(100);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void result(String key, long value, String rest) {
    System.out.println("RESULT " + key + " " + value + " " + rest);
    System.out.flush();
  }
}
