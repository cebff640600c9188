package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Warm runner pods on a real node (docs/operator.md, "Warm runner pods"), in one installation of
 * their own, in the order a pool lives: each warm pod grades exactly one submission and ends, no
 * two submissions share one; an idle pod killed before it was given a job is replaced and no job
 * is lost; an operator restart keeps the idle pods and the job one of them grades; lowering the
 * ceiling removes the pods above it; and a burst larger than the pool is served by pods created
 * for the jobs, every submission with its verdict.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmPoolE2E {
  static final Duration VERDICT_WITHIN = Duration.ofMinutes(3);
  static Release release;
  static final String SOURCE = Learner.sample("counter", "ACCEPTED/hooks.jsx");

  @BeforeAll
  static void install() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("gateway.replicas", "1");
    values.put("operator.maxRunningPods", "2");
    values.put("runner.warmPool.min", "1");
    values.put("runner.warmPool.max", "2");
    release = Release.install(Cluster.get(), "kw", "kubegrade-warm", values);
  }

  @AfterAll
  static void uninstall() {
    if (release != null) {
      release.uninstall();
    }
  }

  static List<Pod> idlePods() {
    return release.cluster().admin().pods().inNamespace(release.namespace())
        .withLabel(GradingJobLabels.WARM, GradingJobLabels.WARM_IDLE).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() == null || !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
        .toList();
  }

  static List<Pod> readyIdlePods(int atLeast) {
    return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> idlePods().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))).toList(), l -> l.size() >= atLeast);
  }

  static GradingJobStatus finished(String id) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> release.job(id),
        j -> j != null && j.getStatus() != null && j.getStatus().phase().isFinal()).getStatus();
  }

  static List<String> reasons(String jobName) {
    return release.cluster().admin().v1().events().inNamespace(release.namespace())
        .withField("involvedObject.name", jobName).list().getItems().stream()
        .filter(e -> "GradingJob".equals(e.getInvolvedObject().getKind())).map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }

  static Pod pod(String name) {
    return release.cluster().admin().pods().inNamespace(release.namespace()).withName(name).get();
  }

  @Test
  @Order(1)
  void eachWarmPodGradesExactlyOneSubmissionAndEnds() throws Exception {
    Learner ada = release.learner("ada-" + System.nanoTime());
    Set<String> uids = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      readyIdlePods(1);
      Learner.Stream stream = ada.grade("counter", SOURCE, VERDICT_WITHIN).assertComplete();
      assertThat(stream.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      GradingJobStatus status = finished(stream.id());
      assertThat(status.podWarm()).as("job %s was given a warm pod", stream.id()).isTrue();
      assertThat(status.podName()).startsWith("kubegrade-runner-warm-");
      assertThat(reasons(stream.id())).contains("PodBound").doesNotContain("PodCreated");
      Pod served = await().atMost(Duration.ofSeconds(60)).until(() -> pod(status.podName()),
          p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()));
      // It ended after its one job: its termination message is that job's verdict, its labels that job's.
      assertThat(served.getMetadata().getLabels()).containsEntry(GradingJobLabels.SUBMISSION, stream.id())
          .containsEntry(GradingJobLabels.WARM, GradingJobLabels.WARM_BOUND);
      assertThat(served.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getName()).isEqualTo(stream.id()));
      String message = served.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
      assertThat(Json.mapper().readValue(message, Verdict.class).status()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(uids.add(served.getMetadata().getUid())).as("a pod graded two submissions").isTrue();
    }
  }

  @Test
  @Order(2)
  void anIdlePodKilledBeforeItWasGivenAJobIsReplacedAndNoJobIsLost() {
    Pod victim = readyIdlePods(1).get(0);
    release.cluster().admin().resource(victim).withGracePeriod(0).delete();
    List<Pod> after = readyIdlePods(1);
    assertThat(after).extracting(p -> p.getMetadata().getUid()).doesNotContain(victim.getMetadata().getUid());
    Learner.Stream stream = release.learner("bea-" + System.nanoTime()).grade("counter", SOURCE, VERDICT_WITHIN)
        .assertComplete();
    assertThat(stream.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(finished(stream.id()).podName()).isNotEqualTo(victim.getMetadata().getName());
  }

  @Test
  @Order(3)
  void anOperatorRestartKeepsTheIdlePodsAndTheJobAWarmPodGrades() {
    List<Pod> before = readyIdlePods(1);
    Learner cy = release.learner("cy-" + System.nanoTime());
    String id = cy.submit("counter", SOURCE);
    Learner.Stream stream = cy.watch(id);
    GradingJob bound = await().atMost(Duration.ofSeconds(60)).until(() -> release.job(id),
        j -> j != null && j.getStatus() != null && Boolean.TRUE.equals(j.getStatus().podWarm()));
    release.cluster().admin().pods().inNamespace(release.namespace())
        .withLabel(GradingJobLabels.NAME, "kubegrade-operator")
        .withGracePeriod(0).delete();
    stream.awaitVerdict(VERDICT_WITHIN);
    assertThat(stream.assertComplete().verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    release.awaitReady(Duration.ofMinutes(3));
    assertThat(finished(id).podName()).isEqualTo(bound.getStatus().podName());
    // The pods that were idle and not given that job are idle still: the new operator took the pool over.
    Set<String> stillIdle = new HashSet<>(readyIdlePods(1).stream().map(p -> p.getMetadata().getUid()).toList());
    before.stream().filter(p -> !p.getMetadata().getName().equals(bound.getStatus().podName()))
        .forEach(p -> assertThat(stillIdle).contains(p.getMetadata().getUid()));
  }

  @Test
  @Order(4)
  void aLowerCeilingRemovesThePodsAboveItAndABurstIsServedByPodsCreatedForIt() {
    release.upgrade(Map.of("gateway.replicas", "1", "operator.maxRunningPods", "2", "runner.warmPool.min", "1",
        "runner.warmPool.max", "1"));
    await().atMost(Duration.ofMinutes(2)).until(() -> idlePods().size() <= 1);
    readyIdlePods(1);
    Learner dee = release.learner("dee-" + System.nanoTime());
    List<CompletableFuture<Learner.Stream>> burst = IntStream.range(0, 4)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> dee.grade("counter", SOURCE, VERDICT_WITHIN))).toList();
    List<GradingJobStatus> statuses = burst.stream().map(CompletableFuture::join).map(s -> {
      assertThat(s.assertComplete().verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      return finished(s.id());
    }).toList();
    assertThat(statuses).anySatisfy(s -> assertThat(s.podWarm()).isTrue());
    assertThat(statuses).anySatisfy(s -> assertThat(s.podWarm()).isFalse());
    assertThat(statuses).extracting(GradingJobStatus::podName).doesNotHaveDuplicates();
    assertThat(idlePods()).hasSizeLessThanOrEqualTo(1);
  }
}
