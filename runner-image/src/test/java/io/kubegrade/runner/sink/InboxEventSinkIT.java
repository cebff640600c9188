package io.kubegrade.runner.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbox sink against a real redis-server, logged in as the warm workers' restricted user: what
 * it sends, and that an attempt superseded or concluded at any moment before its verdict never sends
 * that verdict - however recent the check that came with its last event.
 */
class InboxEventSinkIT {
  private static RedisServerProcess redis;
  private static RedisClient admin;
  private static StatefulRedisConnection<String, String> adminConnection;
  private static RedisClient workerClient;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    admin = RedisClient.create(redis.url());
    adminConnection = admin.connect();
    RunnerRedisUser.createWorker(adminConnection);
    workerClient = RedisClient.create(RunnerRedisUser.workerUrl(redis));
  }

  @AfterAll
  static void stop() {
    adminConnection.close();
    workerClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  private static Attempt begin(String submissionId, int number) {
    Attempt attempt = Attempt.begin(submissionId, number);
    Long begun = adminConnection.sync().eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER,
        RedisLayout.beginAttemptKeys(submissionId), RedisLayout.beginAttemptArgs(number, attempt.token()));
    assertThat(begun).isEqualTo(number);
    return attempt;
  }

  private static List<EventType> reported(String submissionId) {
    return adminConnection.sync().xrange(RedisLayout.INBOX_STREAM, Range.create("-", "+")).stream()
        .map(m -> InboxEntry.parse(m.getBody()))
        .filter(e -> e.attempt().submissionId().equals(submissionId))
        .map(e -> e.event().type())
        .toList();
  }

  private static Verdict accepted() {
    return Verdict.of(VerdictStatus.ACCEPTED, "all 1 tests passed", 1, 40);
  }

  @Test
  void aCurrentAttemptsEventsAllReachTheInbox() {
    String id = "s-" + UUID.randomUUID();
    Attempt attempt = begin(id, 1);
    EventSequence seq = new EventSequence(id, 1);
    try (StatefulRedisConnection<String, String> c = workerClient.connect()) {
      InboxEventSink sink = new InboxEventSink(c, attempt);
      sink.publish(seq.started(null));
      sink.publish(seq.testStarted(0, "renders"));
      sink.publish(seq.testFinished(0, new TestResult("renders", TestOutcome.PASSED, 12, null)));
      sink.publish(seq.verdict(accepted()));
      sink.flush();
    }
    assertThat(reported(id)).containsExactly(EventType.STARTED, EventType.TEST_STARTED, EventType.TEST_PASSED,
        EventType.VERDICT);
  }

  /**
   * An attempt that has sent STARTED - and whose check with it has answered "current" - then
   * {@code meanwhile} happens to its submission, then the attempt sends its verdict: what that throws.
   */
  private static Throwable verdictAfter(String id, Consumer<String> meanwhile) {
    Attempt attempt = begin(id, 1);
    EventSequence seq = new EventSequence(id, 1);
    try (StatefulRedisConnection<String, String> c = workerClient.connect()) {
      InboxEventSink sink = new InboxEventSink(c, attempt);
      sink.publish(seq.started(null));
      sink.flush();
      meanwhile.accept(id);
      return catchThrowable(() -> sink.publish(seq.verdict(accepted())));
    }
  }

  @Test
  void anAttemptSupersededAfterItsLastEventSendsNoVerdict() {
    String id = "s-" + UUID.randomUUID();
    // The gateway takes over while the test runs.
    assertThat(verdictAfter(id, s -> begin(s, 2))).isInstanceOf(AttemptSupersededException.class)
        .hasMessageContaining("attempt 2");
    assertThat(reported(id)).containsExactly(EventType.STARTED);
  }

  @Test
  void anAttemptWhoseSubmissionWasConcludedMeanwhileSendsNoVerdict() {
    String id = "s-" + UUID.randomUUID();
    // E.g. the gateway gave up on it, or its learner cancelled it.
    assertThat(verdictAfter(id, s -> adminConnection.sync().set(RedisLayout.doneKey(s), "1")))
        .isInstanceOf(AttemptSupersededException.class).hasMessageContaining("concluded");
    assertThat(reported(id)).containsExactly(EventType.STARTED);
  }
}
