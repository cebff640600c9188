package io.kubegrade.runner.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.Grading;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.kubegrade.runner.testing.SharedPool;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The warm worker against a real redis-server, logged in as the workers' restricted user, and the
 * real pool: it takes each job once, reports only through the inbox with its attempt's capability,
 * acknowledges what it graded, and stops - without a verdict - once its attempt is superseded.
 * (Relaying the inbox and taking over silent workers are the gateway's: InboxRelayIT, QueueTakeoverIT.)
 */
@ExtendWith(SharedPool.class)
class QueueWorkerIT {
  private static RedisServerProcess redis;
  private static RedisClient admin;
  private static RedisClient workerClient;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    admin = RedisClient.create(redis.url());
    connection = admin.connect();
    RunnerRedisUser.createWorker(connection);
    workerClient = RedisClient.create(RunnerRedisUser.workerUrl(redis));
  }

  @AfterAll
  static void stop() {
    connection.close();
    workerClient.shutdown();
    admin.shutdown();
    redis.close();
  }

  private static QueueSettings fast(String id) {
    return new QueueSettings(id, Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(20));
  }

  /** Accepts a submission as the gateway does: attempt 1 begun, then its job on the stream. */
  private static Attempt enqueue(String source) {
    return enqueue(Grading.catalogueChallenge(Grading.CLICK_CHALLENGE), source);
  }

  private static Attempt enqueue(io.kubegrade.api.challenge.Challenge challenge, String source) {
    Attempt attempt = Attempt.begin("q-" + UUID.randomUUID(), 1);
    Long begun = connection.sync().eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER,
        RedisLayout.queueAttemptKeys(attempt.submissionId()),
        RedisLayout.queueAttemptArgs(attempt.number(), attempt.token(), QueuedJob.fields(challenge, source, attempt)));
    assertThat(begun).isEqualTo(1);
    return attempt;
  }

  private static Long begin(Attempt attempt) {
    return connection.sync().eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER,
        RedisLayout.beginAttemptKeys(attempt.submissionId()), RedisLayout.beginAttemptArgs(attempt.number(), attempt.token()));
  }

  /** What runners reported for the submission, in inbox order. */
  private static List<InboxEntry> reported(String submissionId) {
    return connection.sync().xrange(RedisLayout.INBOX_STREAM, Range.create("-", "+")).stream()
        .map(m -> InboxEntry.parse(m.getBody()))
        .filter(e -> e.attempt().submissionId().equals(submissionId))
        .toList();
  }

  private static List<InboxEntry> awaitReportedVerdict(String submissionId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      List<InboxEntry> entries = reported(submissionId);
      if (!entries.isEmpty() && entries.get(entries.size() - 1).event().isTerminal()) {
        return entries;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no verdict reported for " + submissionId + ": " + reported(submissionId));
  }

  private static void awaitJobStreamEmpty() throws InterruptedException {
    RedisCommands<String, String> r = connection.sync();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while ((r.xlen(RedisLayout.JOB_STREAM) > 0 || r.xpending(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP).getCount() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(r.xpending(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP).getCount()).as("pending jobs").isZero();
    assertThat(r.xlen(RedisLayout.JOB_STREAM)).as("jobs left on the stream").isZero();
  }

  @Test
  void aJobIsGradedReportedThroughTheInboxAcknowledgedAndRemoved(GradingPool pool) throws Exception {
    try (QueueWorker worker = QueueWorker.start(workerClient, pool, fast("w-normal"))) {
      Attempt attempt = enqueue(Grading.CLICK_CORRECT);
      List<InboxEntry> entries = awaitReportedVerdict(attempt.submissionId());
      assertThat(entries).allSatisfy(e -> assertThat(e.attempt()).isEqualTo(attempt));
      assertThat(entries).extracting(e -> e.event().seq()).as("the attempt's own counter, 1, 2, ...")
          .containsExactlyElementsOf(LongStream.rangeClosed(1, entries.size()).boxed().toList());
      assertThat(entries.get(0).event().type()).isEqualTo(EventType.STARTED);
      assertThat(entries).filteredOn(e -> e.event().isTerminal()).singleElement()
          .satisfies(e -> assertThat(e.event().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED));
      awaitJobStreamEmpty();
    }
    assertThat(connection.sync().keys("kubegrade:submission:*:events")).as("a worker writes no log itself").isEmpty();
  }

  @Test
  void aJobWhoseAttemptWasSupersededOrConcludedIsDroppedUngraded(GradingPool pool) throws Exception {
    Attempt taken = enqueue(Grading.CLICK_CORRECT);
    assertThat(begin(Attempt.begin(taken.submissionId(), 2))).as("taken over before any worker got to it").isEqualTo(2);
    Attempt concluded = enqueue(Grading.CLICK_CORRECT);
    connection.sync().set(RedisLayout.doneKey(concluded.submissionId()), "1");
    try (QueueWorker worker = QueueWorker.start(workerClient, pool, fast("w-late"))) {
      awaitJobStreamEmpty();
      Attempt next = enqueue(Grading.CLICK_CORRECT);
      awaitReportedVerdict(next.submissionId()); // the worker went on to the next job
    }
    assertThat(reported(taken.submissionId())).isEmpty();
    assertThat(reported(concluded.submissionId())).isEmpty();
  }

  @Test
  void aWorkerWhoseAttemptIsSupersededWhileGradingStopsWithoutAVerdict(GradingPool pool) throws Exception {
    // A correct solution, slow enough (its status reads "done" a second after the click) to be
    // superseded mid-grading, as when the gateway takes over from a worker it thought lost.
    String slow = """
        function App() {
          const [status, setStatus] = React.useState('idle');
          return <div><button id="go" onClick={() => setTimeout(() => setStatus('done'), 1000)}>go</button>
            <span id="status">{status}</span></div>;
        }
        """;
    try (QueueWorker worker = QueueWorker.start(workerClient, pool, fast("w-stale"))) {
      Attempt attempt = enqueue(Grading.PROBE, slow);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (reported(attempt.submissionId()).stream().noneMatch(e -> e.event().type() == EventType.TEST_STARTED)) {
        assertThat(System.nanoTime()).as("the worker starts the test").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(begin(Attempt.begin(attempt.submissionId(), 2))).isEqualTo(2);
      Thread.sleep(3000); // the test ends meanwhile, and would have been reported
      assertThat(reported(attempt.submissionId())).as("nothing terminal from the superseded attempt")
          .noneMatch(e -> e.event().isTerminal());
      // Its browser is free again: the next job is graded.
      Attempt next = enqueue(Grading.CLICK_CORRECT);
      assertThat(awaitReportedVerdict(next.submissionId()).get(0).attempt()).isEqualTo(next);
      awaitJobStreamEmpty(); // the stale entry removed by its worker too
    }
  }

  @Test
  void theWorkersUserCanTakeJobsAndReportButNotWriteLogsOrReadTheInbox() {
    try (StatefulRedisConnection<String, String> worker = workerClient.connect()) {
      RedisCommands<String, String> w = worker.sync();
      String id = "q-" + UUID.randomUUID();
      GradingEvent forged = new io.kubegrade.api.event.EventSequence(id, 1)
          .verdict(io.kubegrade.api.event.Verdict.of(VerdictStatus.ACCEPTED, "forged", 1, 1));
      List<Runnable> refused = List.of(
          () -> w.eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER, RedisLayout.appendEventKeys(id),
              RedisLayout.appendEventArgs(forged)),
          () -> w.rpush(RedisLayout.historyKey(id), forged.toJson()),
          () -> w.set(RedisLayout.doneKey(id), "1"),
          () -> w.publish(RedisLayout.EVENTS_CHANNEL, forged.toJson()),
          () -> w.xadd(RedisLayout.VERDICT_STREAM, java.util.Map.of("event", forged.toJson())),
          () -> w.xrange(RedisLayout.INBOX_STREAM, Range.create("-", "+")),
          () -> w.hset(RedisLayout.attemptKey(id), "n", "9"),
          () -> w.get("kubegrade:anything-else"));
      for (Runnable r : refused) {
        org.assertj.core.api.Assertions.assertThatThrownBy(r::run).hasMessageContaining("NOPERM");
      }
      assertThat(w.hget(RedisLayout.attemptKey(id), "n")).isNull();
      assertThat(w.xadd(RedisLayout.INBOX_STREAM, java.util.Map.of("event", "{}"))).isNotBlank();
    }
  }
}
