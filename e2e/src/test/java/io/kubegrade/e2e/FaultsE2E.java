package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Kubernetes itself decides, for real: the kernel's OOM killer, the kubelet enforcing a
 * pod's deadline, a pod deleted under a running grading, the node's container runtime restarted
 * or crashing. Each submission still ends with exactly one verdict on the learner's stream.
 */
class FaultsE2E {
  static final Duration WITHIN = Duration.ofMinutes(4);
  static Release release;
  static Cluster cluster;

  @BeforeAll
  static void install() {
    release = Release.shared();
    cluster = release.cluster();
  }

  /** A fault earlier in this class may have taken the gateway and operator down with it: they come back first. */
  @org.junit.jupiter.api.BeforeEach
  void releaseIsReady() {
    release.awaitReady(Duration.ofMinutes(4));
  }

  /** Memory outside the JavaScript heap (typed arrays), far past the pod's limit. */
  static final String MEMORY_HOG = """
      function App() {
        const [n] = React.useState(() => {
          const kept = [];
          for (let i = 0; i < 64; i++) { const b = new Uint8Array(64 * 1024 * 1024); b.fill(i + 1); kept.push(b); }
          return kept.length;
        });
        return <p id="count">{n}</p>;
      }
      """;

  @Test
  void memoryPastThePodLimitIsKilledByTheKernelAndReportedAsMemoryLimitExceeded() {
    Learner learner = release.learner("oom-" + System.nanoTime());
    Learner.Stream stream = learner.grade("counter", MEMORY_HOG, WITHIN).assertComplete();
    assertThat(stream.verdict().verdict().status()).as(stream.verdict().toJson()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
    GradingJob job = finished(stream.id());
    assertThat(job.getStatus().verdict().status()).isEqualTo("MEMORY_LIMIT_EXCEEDED");
    assertThat(job.getStatus().conditions()).anyMatch(c -> c.getType().equals("Completed") && c.getReason().equals("OOMKilled"));
  }

  @Test
  void aPodPastItsDeadlineIsStoppedAndTheVerdictArrivesAtTheDeadline() {
    Learner learner = release.learner("deadline-" + System.nanoTime());
    String id = learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"));
    Learner.Stream stream = learner.watch(id);
    // The runner's JVM is frozen as soon as its container runs: only the kubelet can end this pod.
    Pod running = await().atMost(WITHIN).until(() -> GradingE2E.pod(id + "-1"), p -> p != null && isRunning(p));
    cluster.kubectl("exec", "-n", release.namespace(), running.getMetadata().getName(), "--", "bash", "-c",
        "for p in /proc/[0-9]*; do case \"$(readlink $p/exe)\" in */java) kill -STOP ${p#/proc/};; esac; done");
    stream.awaitVerdict(WITHIN);
    stream.assertComplete();
    assertThat(stream.verdict().verdict().status()).as(stream.verdict().toJson()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
    Instant started = Instant.parse(running.getStatus().getStartTime());
    long deadline = running.getSpec().getActiveDeadlineSeconds();
    // Promptly: at the deadline, not after the pod's termination grace or the operator's backstop.
    assertThat(Duration.between(started.plusSeconds(deadline), stream.verdictArrival()))
        .as("verdict after the deadline").isLessThan(Duration.ofSeconds(8));
    GradingJob job = finished(id);
    assertThat(job.getStatus().conditions()).anyMatch(c -> c.getType().equals("Completed") && c.getReason().equals("DeadlineExceeded"));
  }

  @Test
  void aRunnerPodDeletedWhileGradingIsRetriedOnAFreshPod() {
    Learner learner = release.learner("deleted-" + System.nanoTime());
    String id = learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"));
    Learner.Stream stream = learner.watch(id);
    await().atMost(WITHIN).until(() -> GradingE2E.pod(id + "-1"), p -> p != null && isRunning(p));
    cluster.admin().pods().inNamespace(release.namespace()).withName(id + "-1").delete();
    stream.awaitVerdict(WITHIN);
    stream.assertComplete();
    assertThat(stream.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    GradingJob job = finished(id);
    assertThat(job.getStatus().attempts()).isEqualTo(2);
    assertThat(job.getStatus().podName()).isEqualTo(id + "-2");
    assertThat(GradingE2E.reasons(id)).contains("Retried");
  }

  @Test
  void gradingSurvivesARestartOfTheNodesContainerRuntime() {
    Learner learner = release.learner("containerd-" + System.nanoTime());
    String id = learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"));
    Learner.Stream stream = learner.watch(id);
    await().atMost(WITHIN).until(() -> GradingE2E.pod(id + "-1"), p -> p != null && isRunning(p));
    // A restart: containerd stops and starts again; the shims keep the containers running.
    cluster.restart("containerd");
    stream.awaitVerdict(WITHIN);
    stream.assertComplete();
    assertThat(stream.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(finished(id).getStatus().attempts()).isEqualTo(1);
  }

  @Test
  void aContainerRuntimeCrashThatTakesTheRunnerWithItIsRetriedOnAFreshPod() {
    Learner learner = release.learner("runtime-crash-" + System.nanoTime());
    String id = learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"));
    Learner.Stream stream = learner.watch(id);
    Pod pod = await().atMost(WITHIN).until(() -> GradingE2E.pod(id + "-1"), p -> p != null && isRunning(p));
    // A crash: containerd and every shim of this node are killed; the restarted containerd finds
    // the runner's shim gone and ends its container, as after a runtime crash on a real node.
    cluster.crash("containerd");
    cluster.restart("containerd");
    stream.awaitVerdict(WITHIN);
    stream.assertComplete();
    assertThat(stream.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    GradingJob job = finished(id);
    assertThat(job.getStatus().attempts()).as("attempts of %s (first pod %s)", id, pod.getMetadata().getUid()).isEqualTo(2);
    // The crash took the gateway down too: the learner's stream resumed from its last seq on the
    // restarted gateway, with nothing missed or repeated (assertComplete above).
    assertThat(stream.connections()).isGreaterThan(1);
  }

  static boolean isRunning(Pod p) {
    return p.getStatus() != null && p.getStatus().getContainerStatuses() != null
        && p.getStatus().getContainerStatuses().stream().map(ContainerStatus::getState).anyMatch(s -> s.getRunning() != null);
  }

  static GradingJob finished(String id) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> release.job(id),
        j -> j != null && j.getStatus() != null && j.getStatus().completionTime() != null
            && (j.getStatus().phase() == GradingJobPhase.Succeeded || j.getStatus().phase() == GradingJobPhase.Failed));
  }
}
