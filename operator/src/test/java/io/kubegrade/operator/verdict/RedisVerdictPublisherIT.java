package io.kubegrade.operator.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.OperatorSettings;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's Redis side against a real redis-server, over the client the operator builds:
 * attempts and verdicts go through the log's scripts; with Redis gone a call fails within the
 * client's timeout instead of holding a reconcile thread; once Redis is back (restarted on its
 * append-only file) the same connection works again and what was written before is still there.
 */
class RedisVerdictPublisherIT {
  @TempDir Path data;

  private static String newSubmission() {
    return "s" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void aCallFailsWithinTheTimeoutWhileRedisIsGoneAndTheConnectionComesBackWithIt() throws Exception {
    RedisServerProcess redis = RedisServerProcess.start(data);
    RedisClient client = OperatorMain.redisClient(new OperatorSettings.Redis(redis.url(), null, null));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisVerdictPublisher verdicts = new RedisVerdictPublisher(connection);
      String graded = newSubmission();
      assertThat(verdicts.begin(graded, 1)).map(Attempt::number).contains(1L);
      Verdict deadline = Verdict.of(VerdictStatus.TIME_LIMIT_EXCEEDED, "the pod's deadline passed", 3, 0);
      assertThat(verdicts.conclude(graded, deadline)).isEqualTo(deadline);

      redis.stopProcess();
      String during = newSubmission();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> verdicts.begin(during, 1)).isInstanceOf(RedisException.class);
      // Bounded (the client's 3 s), not a correctness race: a reconcile thread is never held long.
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));

      redis.startProcess();
      Optional<Attempt> begun = Optional.empty();
      long deadlineNanos = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (begun.isEmpty() && System.nanoTime() < deadlineNanos) {
        try {
          begun = verdicts.begin(during, 1);
        } catch (RedisException e) {
          Thread.sleep(200); // reconnecting, or Redis still loading its file
        }
      }
      assertThat(begun).as("the same connection, after the restart").map(Attempt::number).contains(1L);
      // What was written before the restart stands: the verdict, and the submission stays concluded.
      assertThat(verdicts.existing(graded)).map(Verdict::message).contains(deadline.message());
      assertThat(verdicts.begin(graded, 2)).as("no attempt after the verdict").isEmpty();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      redis.close();
    }
  }
}
