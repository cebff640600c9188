package io.kubegrade.operator.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.PodProcess;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.kubegrade.runner.testing.BackingServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
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
 * The runner image's contract, without Docker: the operator (on the mock API server) creates the
 * pod; this test plays the kubelet, running the pod's command, arguments and environment here
 * against real Redis - logged in as the least-privileged runner user - real MinIO through the
 * presigned URL, and real Chromium; then reports the exit and termination message as a kubelet
 * would. The runner must report through the inbox with the capability of the attempt the operator
 * began - so that the event log's script, run as a gateway's relay runs it, accepts every event
 * after the gateway's QUEUED - and the verdict must reach the job's status.
 */
@EnableKubernetesMockClient(crud = true)
class RunnerPodContractIT {
  static KubernetesClient client;
  static final String NS = "contract";
  static final String RUNNER_USER = RunnerRedisUser.NAME;
  static final String RUNNER_PASSWORD = RunnerRedisUser.PASSWORD;

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
    s3.createBucket(b -> b.bucket("contract")).exceptionally(e -> null).join();
    client.resource(new SecretBuilder().withNewMetadata().withName("kubegrade-runner-redis").withNamespace(NS).endMetadata()
        .addToData("runner-username", base64(RUNNER_USER)).addToData("runner-password", base64(RUNNER_PASSWORD)).build())
        .create();
  }

  @AfterAll
  static void close() {
    redis.close();
    redisClient.shutdown();
    s3.close();
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
    return OperatorMain.start(client, Jobs.settings(env), true);
  }

  private GradingJob submit(String id, String solution) throws Exception {
    String source = Files.readString(Jobs.root().resolve("challenges/counter/solutions").resolve(solution));
    GradingJob job = Jobs.job(NS, id, "alice", "counter");
    GradingJob withBucket = new GradingJob(NS, id, new io.kubegrade.api.gradingjob.GradingJobSpec(id,
        job.getSpec().challenge(), new io.kubegrade.api.gradingjob.GradingJobSpec.SourceLocation("contract", "sources/" + id + ".jsx"),
        job.getSpec().limits(), "alice"));
    s3.putObject(b -> b.bucket("contract").key("sources/" + id + ".jsx"), AsyncRequestBody.fromString(source)).join();
    // What the gateway does on submit: QUEUED is event 1.
    GradingEvent queued = new EventSequence(id, 1).queued();
    redis.sync().eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(id),
        RedisLayout.appendEventArgs(queued));
    return client.resource(withBucket).create();
  }

  private Pod podOf(String id) {
    await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(NS).withName(id + "-1").get() != null);
    return client.pods().inNamespace(NS).withName(id + "-1").get();
  }

  private GradingJobStatus finalStatus(String id) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      GradingJob j = client.resources(GradingJob.class).inNamespace(NS).withName(id).get();
      return j.getStatus() != null && j.getStatus().phase().isFinal();
    });
    return client.resources(GradingJob.class).inNamespace(NS).withName(id).get().getStatus();
  }

  /** What runners reported for {@code id}, in inbox order. */
  private List<InboxEntry> reported(String id) {
    return redis.sync().xrange(RedisLayout.INBOX_STREAM, io.lettuce.core.Range.create("-", "+")).stream()
        .filter(m -> id.equals(m.getBody().get("submission")))
        .map(m -> InboxEntry.parse(m.getBody()))
        .toList();
  }

  /** Runs each reported event through the log's script as the gateway's relay does; what it answered. */
  private List<RedisLayout.Appended> relay(List<InboxEntry> entries) {
    return entries.stream().map(e -> RedisLayout.Appended.of(redis.sync().<Long>eval(RedisLayout.APPEND_EVENT,
        ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(e.attempt().submissionId()),
        RedisLayout.appendEventArgs(e.event(), e.attempt().number(), e.attempt().token())))).toList();
  }

  private List<GradingEvent> history(String id) {
    return redis.sync().lrange(RedisLayout.historyKey(id), 0, -1).stream().map(GradingEvent::fromJson).toList();
  }

  @Test
  void theRunnerPodGradesFromItsEnvironmentAndTheVerdictReachesRedisAndTheStatus(@TempDir Path scratch) throws Exception {
    try (OperatorMain operator = startOperator()) {
      Kubelet kubelet = new Kubelet(client);
      submit("c1", "ACCEPTED/hooks.jsx");
      Pod pod = podOf("c1");
      kubelet.running(pod);
      PodProcess.Exit exit = PodProcess.run(client, pod, scratch);
      assertThat(exit.code()).as(exit.output()).isZero();
      Verdict fromMessage = Json.mapper().readValue(exit.terminationMessage(), Verdict.class);
      assertThat(fromMessage.status().name()).isEqualTo("ACCEPTED");
      // As the gateway's relay does while the pod ends: every reported event into the log.
      List<InboxEntry> reported = reported("c1");
      assertThat(reported).isNotEmpty().allSatisfy(e -> {
        assertThat(e.attempt().number()).isEqualTo(1);
        assertThat(e.attempt().tokenHash()).isEqualTo(redis.sync().hget(RedisLayout.attemptKey("c1"), "h"));
      });
      assertThat(relay(reported)).containsOnly(RedisLayout.Appended.APPENDED);
      kubelet.terminated(pod, exit.code(), "Completed", exit.terminationMessage());

      GradingJobStatus status = finalStatus("c1");
      assertThat(status.phase()).isEqualTo(GradingJobPhase.Succeeded);
      assertThat(status.verdict().status()).isEqualTo("ACCEPTED");
      assertThat(status.verdict().tests()).isEqualTo("3/3");

      List<GradingEvent> events = history("c1");
      assertThat(events).extracting(GradingEvent::seq).containsExactly(
          java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toArray(Long[]::new));
      assertThat(events.get(0).type()).isEqualTo(EventType.QUEUED);
      assertThat(events).filteredOn(e -> e.type() == EventType.VERDICT).singleElement()
          .satisfies(e -> assertThat(e.verdict().status().name()).isEqualTo("ACCEPTED"));
    }
  }

  @Test
  void aSourceUrlThatNoLongerWorksIsRetriedWithAFreshPodAndTheWrongAnswerStands(@TempDir Path scratch) throws Exception {
    try (OperatorMain operator = startOperator()) {
      Kubelet kubelet = new Kubelet(client);
      submit("c2", "WRONG_ANSWER/adds-two.jsx");
      Pod first = podOf("c2");
      // The object is gone (or the URL expired): the runner cannot start and says so.
      s3.deleteObject(b -> b.bucket("contract").key("sources/c2.jsx")).join();
      PodProcess.Exit failed = PodProcess.run(client, first, scratch);
      assertThat(failed.code()).as(failed.output()).isEqualTo(io.kubegrade.api.job.RunnerContract.EXIT_CANNOT_START);
      assertThat(failed.terminationMessage()).contains("HTTP 404");
      kubelet.terminated(first, failed.code(), "Error", failed.terminationMessage());

      await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(NS).withName("c2-2").get() != null);
      Pod second = client.pods().inNamespace(NS).withName("c2-2").get();
      s3.putObject(b -> b.bucket("contract").key("sources/c2.jsx"), AsyncRequestBody.fromString(
          Files.readString(Jobs.root().resolve("challenges/counter/solutions/WRONG_ANSWER/adds-two.jsx")))).join();
      PodProcess.Exit graded = PodProcess.run(client, second, scratch);
      assertThat(graded.code()).as(graded.output()).isZero();
      List<InboxEntry> reported = reported("c2");
      assertThat(reported).filteredOn(e -> e.event().isTerminal()).singleElement()
          .satisfies(e -> assertThat(e.attempt().number()).isEqualTo(2));
      relay(reported);
      kubelet.terminated(second, 0, "Completed", graded.terminationMessage());

      GradingJobStatus status = finalStatus("c2");
      assertThat(status.attempts()).isEqualTo(2);
      assertThat(status.verdict().status()).isEqualTo("WRONG_ANSWER");
      assertThat(history("c2")).filteredOn(e -> e.type() == EventType.VERDICT).singleElement()
          .satisfies(e -> assertThat(e.verdict().status().name()).isEqualTo("WRONG_ANSWER"));
    }
  }

  @Test
  void theRunnersRedisUserCanReportToTheInboxAndNothingElse() {
    RedisURI uri = RedisURI.create(servers.redis.url());
    uri.setUsername(RUNNER_USER);
    uri.setPassword((CharSequence) RUNNER_PASSWORD);
    RedisClient runnerClient = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> runner = runnerClient.connect()) {
      io.lettuce.core.api.sync.RedisCommands<String, String> r = runner.sync();
      GradingEvent forged = new EventSequence("acl-1", 1).verdict(Verdict.of(io.kubegrade.api.event.VerdictStatus.ACCEPTED,
          "forged", 1, 1));
      assertThat(r.xadd(RedisLayout.INBOX_STREAM, Map.of("event", "{}"))).isNotBlank();
      assertThat(r.hget(RedisLayout.attemptKey("acl-1"), "n")).isNull();
      assertThat(r.exists(RedisLayout.doneKey("acl-1"))).isZero();
      List<Runnable> refused = List.of(
          () -> r.eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER, RedisLayout.appendEventKeys("acl-1"),
              RedisLayout.appendEventArgs(forged)),
          () -> r.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.beginAttemptKeys("acl-1"),
              RedisLayout.beginAttemptArgs(9, "mine")),
          () -> r.rpush(RedisLayout.historyKey("acl-1"), forged.toJson()),
          () -> r.lrange(RedisLayout.historyKey("acl-1"), 0, -1),
          () -> r.set(RedisLayout.doneKey("acl-1"), "1"),
          () -> r.hset(RedisLayout.attemptKey("acl-1"), "n", "9"),
          () -> r.publish(RedisLayout.EVENTS_CHANNEL, forged.toJson()),
          () -> r.xadd(RedisLayout.VERDICT_STREAM, Map.of("event", forged.toJson())),
          () -> r.xrange(RedisLayout.INBOX_STREAM, io.lettuce.core.Range.create("-", "+")),
          () -> r.xrange(RedisLayout.JOB_STREAM, io.lettuce.core.Range.create("-", "+")),
          () -> r.get("kubegrade:challenge:counter"),
          () -> r.configGet("*"));
      for (Runnable call : refused) {
        assertThatThrownBy(call::run).isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("NOPERM");
      }
    } finally {
      runnerClient.shutdown();
    }
  }
}
