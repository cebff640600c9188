package io.kubegrade.runner.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.sink.RedisEventSink;
import io.kubegrade.runner.testing.Grading;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.kubegrade.runner.testing.SharedPool;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
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

/** The reliable job queue against a real redis-server and the real pool: no job is lost or run twice to a verdict. */
@ExtendWith(SharedPool.class)
class QueueWorkerIT {
  private static RedisServerProcess redis;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    client = RedisClient.create(redis.url());
    connection = client.connect();
    QueueWorker.ensureGroup(connection.sync());
  }

  @AfterAll
  static void stop() {
    connection.close();
    client.shutdown();
    redis.close();
  }

  private static QueueSettings fast(String id) {
    return new QueueSettings(id, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(500), 3, Duration.ofSeconds(20));
  }

  /** Accepts a submission as the gateway does: QUEUED as event 1, then the job on the stream. */
  private static String enqueue(String source) {
    String id = "q-" + UUID.randomUUID();
    RedisEventSink sink = RedisEventSink.over(connection);
    sink.publish(new EventSequence(id, 1).queued());
    sink.flush();
    connection.sync().xadd(RedisLayout.JOB_STREAM,
        QueuedJob.fields(id, Grading.catalogueChallenge(Grading.CLICK_CHALLENGE), source));
    return id;
  }

  /** A worker takes the next job and then dies: no heartbeat, no verdict, no acknowledgement. */
  private static String takeAndDie(String consumer) {
    var taken = connection.sync().xreadgroup(Consumer.from(RedisLayout.RUNNERS_GROUP, consumer),
        XReadArgs.Builder.count(1), XReadArgs.StreamOffset.lastConsumed(RedisLayout.JOB_STREAM));
    assertThat(taken).hasSize(1);
    return taken.get(0).getId();
  }

  private static List<GradingEvent> history(String id) {
    return connection.sync().lrange(RedisLayout.historyKey(id), 0, -1).stream().map(GradingEvent::fromJson).toList();
  }

  private static List<GradingEvent> awaitVerdict(String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      List<GradingEvent> events = history(id);
      if (!events.isEmpty() && events.get(events.size() - 1).isTerminal()) {
        return events;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no verdict for " + id + ": " + history(id));
  }

  private static void assertGapFreeWithOneVerdict(List<GradingEvent> events) {
    assertThat(events).extracting(GradingEvent::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events).filteredOn(GradingEvent::isTerminal).hasSize(1);
  }

  private static void awaitNothingPending() throws InterruptedException {
    RedisCommands<String, String> r = connection.sync();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (r.xpending(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP).getCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(r.xpending(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP).getCount()).isZero();
  }

  @Test
  void aJobIsGradedAcknowledgedAndRemoved(GradingPool pool) throws Exception {
    try (QueueWorker worker = QueueWorker.start(client, pool, fast("w-normal"))) {
      String id = enqueue(Grading.CLICK_CORRECT);
      List<GradingEvent> events = awaitVerdict(id);
      assertGapFreeWithOneVerdict(events);
      assertThat(events.get(0).type()).isEqualTo(EventType.QUEUED);
      assertThat(events.get(events.size() - 1).verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      awaitNothingPending();
    }
    assertThat(connection.sync().xlen(RedisLayout.JOB_STREAM)).isZero();
  }

  @Test
  void aJobWhoseWorkerDiedMidwayIsClaimedAndFinishedByAnother(GradingPool pool) throws Exception {
    String id = enqueue(Grading.CLICK_CORRECT);
    takeAndDie("w-died"); // after saying STARTED:
    RedisEventSink sink = RedisEventSink.over(connection);
    sink.publish(new EventSequence(id, 2).started(null));
    sink.flush();

    try (QueueWorker worker = QueueWorker.start(client, pool, fast("w-survivor"))) {
      List<GradingEvent> events = awaitVerdict(id);
      assertGapFreeWithOneVerdict(events);
      assertThat(events).extracting(GradingEvent::type).startsWith(EventType.QUEUED, EventType.STARTED, EventType.STARTED);
      assertThat(events.get(events.size() - 1).verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      awaitNothingPending();
    }
  }

  @Test
  void aJobThatKeepsLosingItsWorkerEndsWithInternalError(GradingPool pool) throws Exception {
    String id = enqueue(Grading.CLICK_CORRECT);
    RedisCommands<String, String> r = connection.sync();
    String entry = takeAndDie("w-crash-1");
    for (int i = 2; i <= 3; i++) { // two more workers took it and crashed too
      r.xclaim(RedisLayout.JOB_STREAM, Consumer.from(RedisLayout.RUNNERS_GROUP, "w-crash-" + i), XClaimArgs.Builder.minIdleTime(0), entry);
    }
    try (QueueWorker worker = QueueWorker.start(client, pool, fast("w-last"))) {
      List<GradingEvent> events = awaitVerdict(id);
      assertGapFreeWithOneVerdict(events);
      assertThat(events.get(events.size() - 1).verdict().status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
      assertThat(events.get(events.size() - 1).verdict().message()).contains("worker was lost");
      awaitNothingPending();
    }
  }

  @Test
  void aJobAlreadyGradedIsOnlyAcknowledged(GradingPool pool) throws Exception {
    String id = enqueue(Grading.CLICK_CORRECT);
    takeAndDie("w-finished-not-acked"); // after storing the verdict:
    RedisEventSink sink = RedisEventSink.over(connection);
    EventSequence seq = new EventSequence(id, 2);
    sink.publish(seq.started(null));
    sink.publish(seq.verdict(io.kubegrade.api.event.Verdict.of(VerdictStatus.ACCEPTED, "done", 1, 5)));
    sink.flush();
    try (QueueWorker worker = QueueWorker.start(client, pool, fast("w-after"))) {
      awaitNothingPending();
    }
    assertThat(history(id)).hasSize(3);
  }
}
