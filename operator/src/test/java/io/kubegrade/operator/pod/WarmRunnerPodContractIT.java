package io.kubegrade.operator.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.PodProcess;
import io.kubegrade.runner.testing.BackingServers;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A warm runner pod's contract, without Docker: the operator (on the mock API server) creates an
 * idle pod that knows no job; this test plays its kubelet - running the pod's command and
 * environment here against real Redis (as the runner user), MinIO and Chromium, and marking it
 * Ready when its startup probe's file appears. A job then created is given to that pod: the pod
 * becomes the job's (labels, owner, deadline), learns its one job through Redis, grades it, reports
 * with the attempt's capability and exits; a fresh idle pod replaces it, and the next job goes there.
 */
@EnableKubernetesMockClient(crud = true)
class WarmRunnerPodContractIT {
  static KubernetesClient client;
  static final String NS = "warm-contract";
  static BackingServers servers;
  static RedisClient redisClient;
  static StatefulRedisConnection<String, String> redis;
  static S3AsyncClient s3;

  static {
    Jobs.quietMockServer();
  }

  @BeforeAll
  static void backingServers() {
    servers = BackingServers.shared();
    redisClient = RedisClient.create(servers.redis.url());
    redis = redisClient.connect();
    RunnerRedisUser.create(redis);
    s3 = S3AsyncClient.builder().endpointOverride(servers.s3Endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(BackingServers.S3_USER,
            BackingServers.S3_PASSWORD))).build();
    s3.createBucket(b -> b.bucket("warm")).exceptionally(e -> null).join();
    client.resource(new SecretBuilder().withNewMetadata().withName("kubegrade-runner-redis").withNamespace(NS).endMetadata()
        .addToData("runner-username", base64(RunnerRedisUser.NAME))
        .addToData("runner-password", base64(RunnerRedisUser.PASSWORD)).build()).create();
    client.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata()
        .withName("kg-kubegrade-operator").withNamespace(NS).endMetadata().withNewSpec().withNewSelector()
        .addToMatchLabels("app", "operator").endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "operator")
        .endMetadata().withNewSpec().addNewContainer().withName("operator").withImage("operator").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  @AfterAll
  static void close() {
    redis.close();
    redisClient.shutdown();
    s3.close();
  }

  @org.junit.jupiter.api.AfterEach
  void clean() {
    client.resources(GradingJob.class).inNamespace(NS).delete();
    client.pods().inNamespace(NS).withLabel(GradingJobLabels.MANAGED_BY, GradingJobLabels.OPERATOR).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NS).withLabel(GradingJobLabels.MANAGED_BY, GradingJobLabels.OPERATOR).list()
        .getItems().isEmpty());
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private OperatorMain startOperator() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBEGRADE_WATCH_NAMESPACES", NS);
    env.put("KUBEGRADE_REDIS_URL", servers.redis.url());
    env.put("KUBEGRADE_RUNNER_REDIS_URL", servers.redis.url());
    env.put("KUBEGRADE_S3_ENDPOINT", servers.s3Endpoint().toString());
    env.put("KUBEGRADE_S3_ACCESS_KEY", BackingServers.S3_USER);
    env.put("KUBEGRADE_S3_SECRET_KEY", BackingServers.S3_PASSWORD);
    env.put("KUBEGRADE_WARM_POOL_MIN", "1");
    env.put("KUBEGRADE_WARM_POOL_MAX", "1");
    env.put("KUBEGRADE_WARM_POOL_OWNER", NS + "/kg-kubegrade-operator");
    return OperatorMain.start(client, Jobs.settings(env), true);
  }

  private GradingJob submit(String id, String solution) throws Exception {
    String source = Files.readString(Jobs.root().resolve("challenges/counter/solutions").resolve(solution));
    GradingJob job = Jobs.job(NS, id, "alice", "counter");
    GradingJob inBucket = new GradingJob(NS, id, new GradingJobSpec(id, job.getSpec().challenge(),
        new GradingJobSpec.SourceLocation("warm", "sources/" + id + ".jsx"), job.getSpec().limits(), "alice"));
    s3.putObject(b -> b.bucket("warm").key("sources/" + id + ".jsx"), AsyncRequestBody.fromString(source)).join();
    GradingEvent queued = new EventSequence(id, 1).queued();
    redis.sync().eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(id),
        RedisLayout.appendEventArgs(queued));
    return client.resource(inBucket).create();
  }

  private List<Pod> idlePods() {
    return client.pods().inNamespace(NS).withLabel(GradingJobLabels.WARM, GradingJobLabels.WARM_IDLE).list().getItems();
  }

  private Pod oneIdlePod() {
    await().atMost(Duration.ofSeconds(20)).until(() -> idlePods().size() == 1);
    return idlePods().get(0);
  }

  /** Plays the kubelet of an idle pod: runs it, and reports it Ready once its startup probe's file is there. */
  private PodProcess.Running runUntilReady(Kubelet kubelet, Pod pod, Path scratch) throws Exception {
    kubelet.running(pod);
    PodProcess.Running running = PodProcess.start(client, pod, scratch);
    Path readyFile = running.tmp().resolve(RunnerContract.WARM_READY_PATH.substring("/tmp/".length()));
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(readyFile) || !running.process().isAlive());
    assertThat(running.process().isAlive()).as("the warm runner waits for its job").isTrue();
    kubelet.ready(pod);
    return running;
  }

  private GradingJobStatus finalStatus(String id) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      GradingJob j = client.resources(GradingJob.class).inNamespace(NS).withName(id).get();
      return j.getStatus() != null && j.getStatus().phase().isFinal();
    });
    return client.resources(GradingJob.class).inNamespace(NS).withName(id).get().getStatus();
  }

  private List<InboxEntry> reported(String id) {
    return redis.sync().xrange(RedisLayout.INBOX_STREAM, io.lettuce.core.Range.create("-", "+")).stream()
        .filter(m -> id.equals(m.getBody().get("submission"))).map(m -> InboxEntry.parse(m.getBody())).toList();
  }

  private void relay(List<InboxEntry> entries) {
    entries.forEach(e -> assertThat(RedisLayout.Appended.of(redis.sync().<Long>eval(RedisLayout.APPEND_EVENT,
        ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(e.attempt().submissionId()),
        RedisLayout.appendEventArgs(e.event(), e.attempt().number(), e.attempt().token()))))
        .isEqualTo(RedisLayout.Appended.APPENDED));
  }

  @Test
  void anIdlePodKnowsNoJobUntilGivenOneThenGradesItAloneAndIsReplaced(@TempDir Path scratch) throws Exception {
    try (OperatorMain operator = startOperator()) {
      Kubelet kubelet = new Kubelet(client);
      Pod idle = oneIdlePod();
      // What an idle pod holds: its own token, Redis, and nothing of any job.
      var container = idle.getSpec().getContainers().get(0);
      assertThat(container.getArgs()).containsExactly("warm");
      assertThat(container.getEnv()).extracting(EnvVar::getName).contains(RunnerContract.WARM_TOKEN)
          .doesNotContain(RunnerContract.SUBMISSION_ID, RunnerContract.SOURCE_URL, RunnerContract.CHALLENGE,
              RunnerContract.ATTEMPT_TOKEN);
      // Owned by the operator's Deployment, not controlled: uninstalling removes it; no job's yet.
      assertThat(idle.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
        assertThat(o.getKind()).isEqualTo("Deployment");
        assertThat(o.getName()).isEqualTo("kg-kubegrade-operator");
        assertThat(o.getController()).isFalse();
      });
      assertThat(container.getStartupProbe().getExec().getCommand()).contains(RunnerContract.WARM_READY_PATH);
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(idle.getSpec().getAutomountServiceAccountToken()).isFalse();
      PodProcess.Running running = runUntilReady(kubelet, idle, scratch.resolve("first"));

      GradingJob job = submit("w1", "ACCEPTED/hooks.jsx");
      // Given to the idle pod: it is the job's pod now, with the job's deadline.
      await().atMost(Duration.ofSeconds(20)).until(() -> GradingJobLabels.WARM_BOUND.equals(client.pods().inNamespace(NS)
          .withName(idle.getMetadata().getName()).get().getMetadata().getLabels().get(GradingJobLabels.WARM)));
      Pod bound = client.pods().inNamespace(NS).withName(idle.getMetadata().getName()).get();
      assertThat(bound.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
      assertThat(bound.getMetadata().getLabels()).containsEntry(GradingJobLabels.SUBMISSION, "w1")
          .containsEntry(GradingJobLabels.ATTEMPT, "1");
      assertThat(bound.getMetadata().getAnnotations()).containsKey(GradingJobLabels.BOUND_AT);
      // The kubelet counts the deadline from the pod's start: the job's 60 s from when it was bound.
      long idleFor = Duration.between(java.time.Instant.parse(bound.getStatus().getStartTime()),
          java.time.Instant.parse(bound.getMetadata().getAnnotations().get(GradingJobLabels.BOUND_AT))).toSeconds();
      assertThat(bound.getSpec().getActiveDeadlineSeconds()).isBetween(idleFor + 60, idleFor + 62)
          .isLessThan(idle.getSpec().getActiveDeadlineSeconds());
      // A replacement starts at once, while the bound pod grades.
      await().atMost(Duration.ofSeconds(20)).until(() -> idlePods().size() == 1);
      Pod replacement = idlePods().get(0);
      assertThat(replacement.getMetadata().getUid()).isNotEqualTo(idle.getMetadata().getUid());

      PodProcess.Exit exit = running.await();
      assertThat(exit.code()).as(exit.output()).isZero();
      assertThat(exit.output()).contains("timeline warm");
      assertThat(Json.mapper().readValue(exit.terminationMessage(), Verdict.class).status().name()).isEqualTo("ACCEPTED");
      List<InboxEntry> reported = reported("w1");
      assertThat(reported).isNotEmpty().allSatisfy(e -> assertThat(e.attempt().tokenHash())
          .isEqualTo(redis.sync().hget(RedisLayout.attemptKey("w1"), "h")));
      relay(reported);
      kubelet.terminated(bound, exit.code(), "Completed", exit.terminationMessage());
      GradingJobStatus status = finalStatus("w1");
      assertThat(status.phase()).isEqualTo(GradingJobPhase.Succeeded);
      assertThat(status.podName()).isEqualTo(idle.getMetadata().getName());
      assertThat(status.podWarm()).isTrue();
      assertThat(status.verdict().tests()).isEqualTo("3/3");
      assertThat(client.v1().events().inNamespace(NS).list().getItems())
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("PodBound"));

      // The next job goes to the replacement; the first pod, ended, is given nothing more.
      PodProcess.Running second = runUntilReady(kubelet, replacement, scratch.resolve("second"));
      submit("w2", "WRONG_ANSWER/adds-two.jsx");
      await().atMost(Duration.ofSeconds(20)).until(() -> "w2".equals(client.pods().inNamespace(NS)
          .withName(replacement.getMetadata().getName()).get().getMetadata().getLabels().get(GradingJobLabels.SUBMISSION)));
      PodProcess.Exit secondExit = second.await();
      assertThat(secondExit.code()).as(secondExit.output()).isZero();
      relay(reported("w2"));
      kubelet.terminated(client.pods().inNamespace(NS).withName(replacement.getMetadata().getName()).get(), 0, "Completed",
          secondExit.terminationMessage());
      assertThat(finalStatus("w2").verdict().status()).isEqualTo("WRONG_ANSWER");
      assertThat(client.pods().inNamespace(NS).withName(idle.getMetadata().getName()).get().getMetadata().getLabels())
          .containsEntry(GradingJobLabels.SUBMISSION, "w1");
    }
  }

  @Test
  void aJobWithLimitsOfItsOwnGetsAPodOfItsOwn() throws Exception {
    try (OperatorMain operator = startOperator()) {
      oneIdlePod();
      String id = "w3";
      GradingJob base = Jobs.job(NS, id, "bob", "counter");
      client.resource(new GradingJob(NS, id, new GradingJobSpec(id, base.getSpec().challenge(),
          base.getSpec().source(), new GradingJobSpec.JobLimits(60L, "2Gi", "1"), "bob"))).create();
      await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(NS).withName(id + "-1").get() != null
          && client.resources(GradingJob.class).inNamespace(NS).withName(id).get().getStatus() != null
          && client.resources(GradingJob.class).inNamespace(NS).withName(id).get().getStatus().podName() != null);
      GradingJobStatus status = client.resources(GradingJob.class).inNamespace(NS).withName(id).get().getStatus();
      assertThat(status.podName()).isEqualTo(id + "-1");
      assertThat(status.podWarm()).isFalse();
      assertThat(idlePods()).hasSize(1).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences())
          .noneMatch(o -> "GradingJob".equals(o.getKind())));
    }
  }
}
