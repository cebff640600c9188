package io.kubegrade.operator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.pod.RunnerPod;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.RecordingVerdictPublisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against fabric8's CRUD mock API server, with this test playing the kubelet: every
 * outcome a runner pod can have, admission, retries, TTL, and a restart that adopts what the
 * previous instance left.
 */
@EnableKubernetesMockClient(crud = true)
class GradingJobReconcilerTest {
  static KubernetesClient client;

  static {
    Jobs.quietMockServer();
  }

  private final RecordingVerdictPublisher verdicts = new RecordingVerdictPublisher();
  private final String ns = "t-" + UUID.randomUUID().toString().substring(0, 8);
  private final Kubelet kubelet = new Kubelet(client);
  private OperatorMain operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  private void start(Map<String, String> overrides) {
    Map<String, String> settings = new java.util.HashMap<>(overrides);
    settings.put("KUBEGRADE_WATCH_NAMESPACES", ns);
    operator = OperatorMain.start(client, Jobs.settings(settings), true, verdicts,
        source -> "http://s3.test/kubegrade/" + source.key() + "?X-Amz-Signature=test",
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  private GradingJob create(String id, String owner) {
    return client.resource(Jobs.job(ns, id, owner, "counter")).create();
  }

  private GradingJob job(String name) {
    return client.resources(GradingJob.class).inNamespace(ns).withName(name).get();
  }

  private GradingJobStatus statusOnceItIs(String name, GradingJobPhase phase) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      GradingJob j = job(name);
      return j != null && j.getStatus() != null && j.getStatus().phase() == phase;
    });
    return job(name).getStatus();
  }

  private Pod podOnceCreated(String name) {
    await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(ns).withName(name).get() != null);
    return client.pods().inNamespace(ns).withName(name).get();
  }

  private List<String> eventReasons(String job) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }

  private List<String> eventStory(String job) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName())).map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  private static String verdictJson(VerdictStatus status, int passed, int total) {
    return new Verdict(status, null, passed, total, 1234, List.of(), null, null, List.of(), null, null).toBoundedJson(4096);
  }

  @Test
  void aJobBecomesALockedDownRunnerPodAndItsVerdictBecomesTheStatus() {
    start(Map.of());
    create("s1", "alice");

    Pod pod = podOnceCreated("s1-1");
    GradingJobStatus scheduled = statusOnceItIs("s1", GradingJobPhase.Scheduled);
    assertThat(scheduled.podName()).isEqualTo("s1-1");
    assertThat(scheduled.attempts()).isEqualTo(1);
    assertThat(scheduled.observedGeneration()).isEqualTo(1L);
    assertThat(scheduled.conditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Admitted");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("PodCreated");
    });

    PodSpec spec = pod.getSpec();
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("GradingJob");
      assertThat(o.getController()).isTrue();
    });
    assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "kubegrade-runner")
        .containsEntry("app.kubernetes.io/component", "runner").containsEntry("app.kubernetes.io/part-of", "kubegrade")
        .containsEntry("app.kubernetes.io/managed-by", "kubegrade-operator").containsEntry("app.kubernetes.io/instance", "s1")
        .containsEntry("kubegrade.io/submission", "s1").containsEntry("kubegrade.io/attempt", "1");
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(60L);
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getServiceAccountName()).isEqualTo("kubegrade-runner");
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container runner = spec.getContainers().get(0);
    assertThat(runner.getCommand()).containsExactly("/usr/bin/tini", "--", "kubegrade-runner");
    assertThat(runner.getArgs()).containsExactly("job");
    assertThat(runner.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(runner.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(runner.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(runner.getResources().getLimits()).containsKeys("memory", "cpu");
    assertThat(runner.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
    assertThat(runner.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(runner.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder("/tmp", "/dev/shm");
    assertThat(spec.getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
    assertThat(runner.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("KUBEGRADE_SOURCE_URL");
      assertThat(e.getValue()).startsWith("http://s3.test/kubegrade/sources/alice/s1.jsx?X-Amz-Signature=");
    });
    assertThat(runner.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("KUBEGRADE_REDIS_PASSWORD");
      assertThat(e.getValue()).isNull();
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kubegrade-runner-redis");
    });
    assertThat(runner.getEnv()).noneSatisfy(e -> assertThat(e.getName()).containsIgnoringCase("S3_SECRET"));

    kubelet.running(pod);
    GradingJobStatus running = statusOnceItIs("s1", GradingJobPhase.Running);
    assertThat(running.startTime()).isNotNull();

    kubelet.terminated(pod, 0, "Completed", verdictJson(VerdictStatus.ACCEPTED, 3, 3));
    GradingJobStatus done = statusOnceItIs("s1", GradingJobPhase.Succeeded);
    assertThat(done.verdict().status()).isEqualTo("ACCEPTED");
    assertThat(done.verdict().tests()).isEqualTo("3/3");
    assertThat(done.verdict().duration()).isEqualTo("1.2s");
    assertThat(done.completionTime()).isNotNull();
    assertThat(done.conditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Completed");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Graded");
    });
    assertThat(verdicts.verdict("s1").status()).isEqualTo(VerdictStatus.ACCEPTED);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventReasons("s1"))
        .containsExactlyInAnyOrder("Queued", "PodCreated", "Started", "Finished"));
  }

  @Test
  void anOomKilledRunnerIsMemoryLimitExceededAndTheOperatorPublishesThatVerdict() {
    start(Map.of());
    create("s2", "alice");
    Pod pod = podOnceCreated("s2-1");
    kubelet.running(pod);
    statusOnceItIs("s2", GradingJobPhase.Running);
    kubelet.terminated(pod, 137, "OOMKilled", "");
    GradingJobStatus done = statusOnceItIs("s2", GradingJobPhase.Succeeded);
    assertThat(done.verdict().status()).isEqualTo("MEMORY_LIMIT_EXCEEDED");
    assertThat(done.verdict().tests()).isEqualTo("0/3");
    assertThat(verdicts.verdict("s2").status()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
  }

  @Test
  void aPodStoppedAtItsDeadlineIsTimeLimitExceeded() {
    start(Map.of());
    create("s3", "alice");
    Pod pod = podOnceCreated("s3-1");
    kubelet.running(pod);
    statusOnceItIs("s3", GradingJobPhase.Running);
    kubelet.podFailed(pod, "DeadlineExceeded", "Pod was active on the node longer than the specified deadline");
    GradingJobStatus done = statusOnceItIs("s3", GradingJobPhase.Succeeded);
    assertThat(done.verdict().status()).isEqualTo("TIME_LIMIT_EXCEEDED");
    assertThat(done.verdict().message()).contains("deadline of 60s");
    assertThat(verdicts.verdict("s3").status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
  }

  @Test
  void infrastructureFailuresAreRetriedABoundedNumberOfTimesThenBecomeInternalError() {
    start(Map.of("KUBEGRADE_MAX_ATTEMPTS", "3"));
    create("s4", "alice");
    Pod first = podOnceCreated("s4-1");
    kubelet.running(first);
    statusOnceItIs("s4", GradingJobPhase.Running);

    client.resource(first).delete(); // an admin deletes the pod by hand
    Pod second = podOnceCreated("s4-2");
    kubelet.podFailed(second, "Evicted", "The node was low on resource: memory.");
    Pod third = podOnceCreated("s4-3");
    kubelet.waiting(third, "ImagePullBackOff", "Back-off pulling image \"kubegrade/runner:test\"");

    GradingJobStatus failed = statusOnceItIs("s4", GradingJobPhase.Failed);
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.verdict().status()).isEqualTo("INTERNAL_ERROR");
    assertThat(failed.verdict().message()).contains("3 times").contains("ImagePullBackOff");
    assertThat(verdicts.verdict("s4").status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
    assertThat(client.pods().inNamespace(ns).withName("s4-4").get()).isNull();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventStory("s4"))
        .anyMatch(e -> e.startsWith("Retried: attempt 1 lost (PodDeleted"))
        .anyMatch(e -> e.startsWith("Retried: attempt 2 lost (Evicted"))
        .anyMatch(e -> e.startsWith("Failed: verdict INTERNAL_ERROR"))
        .filteredOn(e -> e.startsWith("Retried")).hasSize(2));
  }

  @Test
  void aRunnerThatCouldNotStartIsRetriedAndARunnerVerdictAlreadyInRedisStands() {
    start(Map.of());
    create("s5", "alice");
    Pod first = podOnceCreated("s5-1");
    kubelet.terminated(first, 4, "Error", "kubegrade: the source URL answered HTTP 403 (expired?)");
    Pod second = podOnceCreated("s5-2");
    assertThat(statusOnceItIs("s5", GradingJobPhase.Scheduled).conditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Started");
      assertThat(c.getReason()).isEqualTo("RunnerCouldNotStart");
    });
    // The runner published its verdict, then its node went away before the pod said so.
    verdicts.alreadyPublished("s5", new Verdict(VerdictStatus.WRONG_ANSWER, null, 1, 3, 900, List.of(), null, null,
        List.of(), null, null));
    kubelet.podFailed(second, "Evicted", "The node was low on resource: ephemeral-storage.");
    GradingJobStatus done = statusOnceItIs("s5", GradingJobPhase.Succeeded);
    assertThat(done.verdict().status()).as("the verdict clients already received stands").isEqualTo("WRONG_ANSWER");
    assertThat(podOrNull("s5-3")).as("no attempt begins after a verdict").isNull();
  }

  @Test
  void aSubmissionConcludedBeforeItsJobRanGetsNoPodAndItsVerdictStands() {
    start(Map.of());
    verdicts.alreadyPublished("s9", Verdict.of(VerdictStatus.INTERNAL_ERROR, "no verdict within 30m", 3, 0));
    create("s9", "alice");
    GradingJobStatus failed = statusOnceItIs("s9", GradingJobPhase.Failed);
    assertThat(failed.verdict().message()).isEqualTo("no verdict within 30m");
    assertThat(failed.conditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("AlreadyGraded"));
    assertThat(podOrNull("s9-1")).isNull();
  }

  @Test
  void aRunnerThatFindsTheVerdictAlreadyPublishedEndsTheJobWithThatVerdict() {
    start(Map.of());
    create("s10", "alice");
    Pod pod = podOnceCreated("s10-1");
    verdicts.alreadyPublished("s10", new Verdict(VerdictStatus.WRONG_ANSWER, null, 2, 3, 700, List.of(), null, null,
        List.of(), null, null));
    kubelet.terminated(pod, 0, "Completed", "kubegrade: already graded");
    GradingJobStatus done = statusOnceItIs("s10", GradingJobPhase.Succeeded);
    assertThat(done.verdict().status()).isEqualTo("WRONG_ANSWER");
    assertThat(done.attempts()).isEqualTo(1);
  }

  private Pod podOrNull(String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  @Test
  void admissionCapsRunnerPodsAndSharesThemBetweenUsersFirstInFirstOut() {
    start(Map.of("KUBEGRADE_MAX_RUNNING_PODS", "1"));
    create("a1", "alice");
    Pod a1 = podOnceCreated("a1-1");
    create("a2", "alice");
    create("a3", "alice");
    create("b1", "bob");
    await().atMost(Duration.ofSeconds(10)).until(() -> Objects.equals(phaseOf("b1"), GradingJobPhase.Queued)
        && Objects.equals(phaseOf("a3"), GradingJobPhase.Queued));
    assertThat(runnerPods()).containsExactly("a1-1");
    assertThat(job("a2").getStatus().conditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("Queued"));

    kubelet.terminated(a1, 0, "Completed", verdictJson(VerdictStatus.ACCEPTED, 3, 3));
    Pod b1 = podOnceCreated("b1-1");
    assertThat(runnerPods()).as("bob's only job goes before alice's second").containsExactlyInAnyOrder("a1-1", "b1-1");

    kubelet.terminated(b1, 0, "Completed", verdictJson(VerdictStatus.ACCEPTED, 3, 3));
    podOnceCreated("a2-1");
    assertThat(phaseOf("a3")).isEqualTo(GradingJobPhase.Queued);
  }

  private GradingJobPhase phaseOf(String name) {
    GradingJob j = job(name);
    return j == null || j.getStatus() == null ? null : j.getStatus().phase();
  }

  private List<String> runnerPods() {
    return client.pods().inNamespace(ns).list().getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList();
  }

  @Test
  void finishedJobsAreDeletedAfterTheirTtl() {
    // Their pods follow through owner references; this server has no garbage collector, so
    // KubectlE2E shows that part on a real node.
    start(Map.of("KUBEGRADE_FINISHED_TTL", "1s"));
    create("s6", "alice");
    Pod pod = podOnceCreated("s6-1");
    kubelet.terminated(pod, 0, "Completed", verdictJson(VerdictStatus.WRONG_ANSWER, 1, 3));
    await().atMost(Duration.ofSeconds(20)).until(() -> job("s6") == null);
    assertThat(podOrNull("s6-1").getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("GradingJob"));
  }

  /** The pod of {@code job}'s first attempt, as an operator instance that stopped before recording it left it. */
  private Pod podOfAttemptOne(GradingJob job) {
    return client.resource(new RunnerPod(Jobs.settings(Map.of()).runner())
        .build(job, Attempt.begin(job.getSpec().submissionId(), 1), "http://s3.test/" + job.getMetadata().getName())).create();
  }

  @Test
  void aRestartedOperatorAdoptsThePodsItLeftAndDeletesOrphans() {
    GradingJob job = create("s7", "alice");
    // What a previous instance left: the pod of attempt 1 (status never recorded), and a pod
    // whose job was deleted while no operator ran.
    podOfAttemptOne(job);
    GradingJob gone = Jobs.job(ns, "gone", "bob", "counter");
    gone.getMetadata().setUid(UUID.randomUUID().toString());
    podOfAttemptOne(gone);

    start(Map.of());
    GradingJobStatus adopted = statusOnceItIs("s7", GradingJobPhase.Scheduled);
    assertThat(adopted.podName()).isEqualTo("s7-1");
    assertThat(podOrNull("gone-1")).isNull();
    assertThat(podOrNull("s7-2")).isNull();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventReasons("s7")).contains("Adopted"));
  }

  @Test
  void aPodThatFinishedBeforeItsCreationWasRecordedStillEndsTheJob() {
    // The pod was created and graded before the job's status said so (a restart in between, or an
    // informer behind): the job must follow the pod as it is, not wait for an event that came.
    GradingJob job = create("s11", "alice");
    Pod left = podOfAttemptOne(job);
    kubelet.terminated(left, 0, "Completed", verdictJson(VerdictStatus.ACCEPTED, 3, 3));
    start(Map.of());
    GradingJobStatus done = statusOnceItIs("s11", GradingJobPhase.Succeeded);
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.verdict().status()).isEqualTo("ACCEPTED");
  }

  @Test
  void aJobGradedByAPodAnEarlierInstanceNeverRecordedNamesThatPod() {
    // The instance that created the pod stopped before recording it, the runner graded and
    // published its verdict meanwhile: the job ends with that verdict and says which pod gave it.
    GradingJob job = create("s12", "alice");
    Pod left = podOfAttemptOne(job);
    kubelet.terminated(left, 0, "Completed", verdictJson(VerdictStatus.ACCEPTED, 3, 3));
    verdicts.alreadyPublished("s12", new Verdict(VerdictStatus.ACCEPTED, null, 3, 3, 700, List.of(), null, null,
        List.of(), null, null));
    start(Map.of());
    GradingJobStatus done = statusOnceItIs("s12", GradingJobPhase.Succeeded);
    assertThat(done.podName()).isEqualTo("s12-1");
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.admissionTime()).isNotNull();
  }

  @Test
  void aFailureTheOperatorCannotResolveIsInTheConditionsAndAWarningUntilItPasses() {
    verdicts.failWith(new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 3 second(s)"));
    start(Map.of());
    create("s12", "alice");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      GradingJob j = job("s12");
      assertThat(j.getStatus()).isNotNull();
      assertThat(j.getStatus().conditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Reconciled");
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getMessage()).contains("timed out after 3 second");
      });
      assertThat(client.v1().events().inNamespace(ns).list().getItems())
          .filteredOn(e -> "s12".equals(e.getInvolvedObject().getName()))
          .anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("ReconcileFailed");
          });
    });
    assertThat(podOrNull("s12-1")).as("nothing done while the verdict store is unreachable").isNull();

    verdicts.recover();
    podOnceCreated("s12-1");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(job("s12").getStatus().conditions())
        .anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("Reconciled");
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getReason()).isEqualTo("Recovered");
        }));
  }

  @Test
  void metricsAndHealthAreServed() throws Exception {
    start(Map.of());
    create("s8", "alice");
    podOnceCreated("s8-1");
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + operator.httpPort();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("kubegrade_gradingjobs{phase=\"Scheduled\"}")
          .contains("kubegrade_admission_wait_seconds_count").contains("kubegrade_reconcile_seconds_count");
    });
  }
}
