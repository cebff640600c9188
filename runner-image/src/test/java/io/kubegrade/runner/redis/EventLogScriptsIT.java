package io.kubegrade.runner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.api.redis.RedisLayout.Appended;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.lettuce.core.RedisClient;
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
 * The event log's two scripts on their own, against a real redis-server: APPEND_EVENT numbers
 * events itself, ends the log at the terminal event and accepts a runner's event only with the
 * current attempt's token, in the attempt's own order, once; BEGIN_ATTEMPT only moves forward.
 */
class EventLogScriptsIT {
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
  }

  @AfterAll
  static void stop() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  private static String newId() {
    return "log-" + UUID.randomUUID();
  }

  private static long begin(String id, long n, String token) {
    return r.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.beginAttemptKeys(id),
        RedisLayout.beginAttemptArgs(n, token));
  }

  private static long append(GradingEvent event, String... args) {
    return r.eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(event.submissionId()), args);
  }

  private static long trusted(GradingEvent event) {
    return append(event, RedisLayout.appendEventArgs(event));
  }

  private static long relayed(GradingEvent event, Attempt attempt) {
    return append(event, RedisLayout.appendEventArgs(event, attempt.number(), attempt.token()));
  }

  private static List<GradingEvent> history(String id) {
    return r.lrange(RedisLayout.historyKey(id), 0, -1).stream().map(GradingEvent::fromJson).toList();
  }

  @Test
  void theLogNumbersEveryEventItselfAndEndsAtTheTerminalOne() {
    String id = newId();
    EventSequence writer = new EventSequence(id, 41); // whatever a writer believes, the log decides
    assertThat(trusted(writer.queued())).isEqualTo(1);
    assertThat(trusted(writer.started(null))).isEqualTo(2);
    assertThat(trusted(writer.verdict(Verdict.of(VerdictStatus.ACCEPTED, "ok", 1, 9)))).isEqualTo(3);
    assertThat(Appended.of(trusted(writer.started(null)))).isEqualTo(Appended.CONCLUDED);
    assertThat(history(id)).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L);
    assertThat(r.get(RedisLayout.doneKey(id))).isEqualTo("3");
    assertThat(r.xrange(RedisLayout.VERDICT_STREAM, io.lettuce.core.Range.create("-", "+")))
        .filteredOn(m -> id.equals(m.getBody().get("submissionId"))).singleElement()
        .satisfies(m -> assertThat(GradingEvent.fromJson(m.getBody().get("event")).seq()).isEqualTo(3));
    assertThat(r.ttl(RedisLayout.historyKey(id))).isPositive();
  }

  @Test
  void attemptsOnlyMoveForwardAndNoneBeginsAfterTheVerdict() {
    String id = newId();
    assertThat(begin(id, 1, "t1")).isEqualTo(1);
    assertThat(begin(id, 1, "again")).as("a number is begun once").isEqualTo(-2);
    assertThat(begin(id, 3, "t3")).isEqualTo(3);
    assertThat(begin(id, 2, "t2")).as("never backwards").isEqualTo(-2);
    assertThat(r.hget(RedisLayout.attemptKey(id), "h")).as("the token's hash, never the token")
        .isNotEqualTo("t3").hasSize(40);
    trusted(new EventSequence(id, 1).verdict(Verdict.of(VerdictStatus.INTERNAL_ERROR, "gave up", 1, 0)));
    assertThat(begin(id, 4, "t4")).isEqualTo(-1);
  }

  @Test
  void aRunnersEventsCountOnlyWithTheCurrentAttemptsTokenInItsOwnOrderOnce() {
    String id = newId();
    trusted(new EventSequence(id, 1).queued());
    Attempt first = Attempt.begin(id, 1);
    begin(id, 1, first.token());
    EventSequence own = new EventSequence(id, 1); // the attempt's counter: 1, 2, ...
    GradingEvent started = own.started(null);
    GradingEvent testStarted = own.testStarted(0, "renders");

    assertThat(Appended.of(relayed(testStarted, first))).as("2 before 1").isEqualTo(Appended.OUT_OF_TURN);
    assertThat(relayed(started, first)).isEqualTo(2);
    assertThat(Appended.of(relayed(started, first))).as("a redelivery").isEqualTo(Appended.DUPLICATE);
    assertThat(relayed(testStarted, first)).isEqualTo(3);
    assertThat(Appended.of(relayed(own.testStarted(1, "clicks"), new Attempt(id, 1, "forged-token"))))
        .isEqualTo(Appended.REFUSED);

    Attempt second = Attempt.begin(id, 2);
    begin(id, 2, second.token());
    GradingEvent late = own.verdict(Verdict.of(VerdictStatus.ACCEPTED, "stale", 1, 9));
    assertThat(Appended.of(relayed(late, first))).as("the superseded attempt").isEqualTo(Appended.SUPERSEDED);
    assertThat(Appended.of(append(late, RedisLayout.appendEventArgs(late, 1)))).as("even for a trusted writer")
        .isEqualTo(Appended.SUPERSEDED);
    EventSequence next = new EventSequence(id, 1);
    assertThat(relayed(next.started(null), second)).isEqualTo(4);
    assertThat(relayed(next.verdict(Verdict.of(VerdictStatus.WRONG_ANSWER, "0 of 1", 1, 9)), second)).isEqualTo(5);

    assertThat(history(id)).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(history(id)).filteredOn(GradingEvent::isTerminal).singleElement()
        .satisfies(e -> assertThat(e.verdict().status()).isEqualTo(VerdictStatus.WRONG_ANSWER));
  }

  @Test
  void inQueueModeAnAttemptAndItsJobAreAddedInOneStep() {
    String id = newId();
    long before = r.xlen(RedisLayout.JOB_STREAM);
    java.util.Map<String, String> job = java.util.Map.of("submissionId", id, "attempt", "1");
    Long first = r.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.queueAttemptKeys(id),
        RedisLayout.queueAttemptArgs(1, "t1", job));
    Long again = r.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.queueAttemptKeys(id),
        RedisLayout.queueAttemptArgs(1, "t1-again", job));
    assertThat(first).isEqualTo(1L);
    assertThat(again).as("not begun, not queued").isEqualTo(-2L);
    assertThat(r.xlen(RedisLayout.JOB_STREAM)).isEqualTo(before + 1);
    assertThat(r.xrevrange(RedisLayout.JOB_STREAM, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1)))
        .singleElement().satisfies(m -> assertThat(m.getBody()).isEqualTo(job));
  }

  @Test
  void aRunnerEventForASubmissionWithNoAttemptIsRefusedAsSuperseded() {
    String id = newId();
    GradingEvent event = new EventSequence(id, 1).started(null);
    assertThat(Appended.of(relayed(event, Attempt.begin(id, 1)))).isEqualTo(Appended.SUPERSEDED);
    assertThat(r.exists(RedisLayout.historyKey(id))).isZero();
  }
}
