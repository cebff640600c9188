package io.kubegrade.runner.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.WarmAssignment;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.api.redis.RedisLayout.Claimed;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ASSIGN_WARM on its own, against a real redis-server: a warm pod is claimed once, ever - by one
 * job, with its assignment handed over in the same step, or by the pool retiring it - and the
 * runner's Redis user can take its own assignment and do nothing else with the pool's keys.
 */
class WarmAssignmentScriptIT {
  private static RedisServerProcess redis;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> r;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    client = RedisClient.create(redis.url());
    connection = client.connect();
    r = connection.sync();
    RunnerRedisUser.create(connection);
  }

  @AfterAll
  static void stop() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  private static Claimed assign(String token, String claimant, WarmAssignment assignment) {
    return Claimed.of(r.eval(RedisLayout.ASSIGN_WARM, ScriptOutputType.INTEGER, RedisLayout.assignWarmKeys(token),
        RedisLayout.assignWarmArgs(claimant, assignment == null ? null : assignment.toJson())));
  }

  private static WarmAssignment assignment(String submission) {
    return WarmAssignment.of(Attempt.begin(submission, 1), "{\"id\":\"counter\"}", "http://s3.example/presigned");
  }

  @Test
  void aPodIsGivenOneJobOnlyAndARetriedClaimHandsNothingOverTwice() {
    String token = UUID.randomUUID().toString();
    WarmAssignment first = assignment("s-1");
    assertThat(assign(token, "job-a/1", first)).isEqualTo(Claimed.CLAIMED);
    assertThat(assign(token, "job-a/1", first)).as("the same claim, retried").isEqualTo(Claimed.ALREADY_OURS);
    assertThat(assign(token, "job-b/1", assignment("s-2"))).isEqualTo(Claimed.TAKEN);
    assertThat(r.lrange(RedisLayout.warmAssignmentKey(token), 0, -1)).containsExactly(first.toJson());
    assertThat(r.ttl(RedisLayout.warmAssignmentKey(token))).isPositive();
    assertThat(r.ttl(RedisLayout.warmClaimKey(token))).isPositive();
  }

  @Test
  void aRetiredPodCanNoLongerBeGivenAJob() {
    String token = UUID.randomUUID().toString();
    assertThat(assign(token, "recycle", null)).isEqualTo(Claimed.CLAIMED);
    assertThat(assign(token, "job-c/1", assignment("s-3"))).isEqualTo(Claimed.TAKEN);
    assertThat(r.exists(RedisLayout.warmAssignmentKey(token))).isZero();
  }

  @Test
  void theRunnersUserTakesItsOwnAssignmentAndCannotTouchTheClaimsOrHandOutJobs() {
    String token = UUID.randomUUID().toString();
    WarmAssignment given = assignment("s-4");
    assertThat(assign(token, "job-d/1", given)).isEqualTo(Claimed.CLAIMED);
    RedisURI uri = RedisURI.create(redis.url());
    uri.setUsername(RunnerRedisUser.NAME);
    uri.setPassword((CharSequence) RunnerRedisUser.PASSWORD);
    RedisClient runnerClient = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> runner = runnerClient.connect()) {
      RedisCommands<String, String> pod = runner.sync();
      KeyValue<String, String> taken = pod.blpop(1, RedisLayout.warmAssignmentKey(token));
      assertThat(WarmAssignment.fromJson(taken.getValue())).isEqualTo(given);
      String other = UUID.randomUUID().toString();
      List<Runnable> refused = List.of(
          () -> pod.get(RedisLayout.warmClaimKey(token)),
          () -> pod.del(RedisLayout.warmClaimKey(token)),
          () -> pod.rpush(RedisLayout.warmAssignmentKey(other), given.toJson()),
          () -> pod.lrange(RedisLayout.warmAssignmentKey(other), 0, -1),
          () -> pod.eval(RedisLayout.ASSIGN_WARM, ScriptOutputType.INTEGER, RedisLayout.assignWarmKeys(other),
              RedisLayout.assignWarmArgs("forged", given.toJson())),
          () -> pod.keys("kubegrade:warm:*"),
          () -> pod.scan(),
          () -> pod.blpop(1, RedisLayout.JOB_STREAM),
          () -> pod.blpop(1, "kubegrade:warm:anything-else"));
      for (Runnable call : refused) {
        assertThatThrownBy(call::run).isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("NOPERM");
      }
    } finally {
      runnerClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void anAssignmentSaysNothingOfItsTokenWhenLogged() {
    WarmAssignment a = assignment("s-5");
    assertThat(a.toString()).doesNotContain(a.attemptToken()).doesNotContain(a.sourceUrl());
    assertThat(WarmAssignment.fromJson(a.toJson())).isEqualTo(a);
    assertThat(a.toAttempt().token()).isEqualTo(a.attemptToken());
  }
}
