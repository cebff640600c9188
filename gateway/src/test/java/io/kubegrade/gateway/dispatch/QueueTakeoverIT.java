package io.kubegrade.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.stream.EventPublisher;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.runner.testing.Grading;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The event log's owner at work on the local platform (the gateway's relay and its embedded warm
 * worker, real Redis): a job whose worker went silent is taken over as a new attempt, the silent
 * worker's late events are refused, and forged or misdirected runner events never reach a log.
 */
class QueueTakeoverIT extends PlatformIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Takes over after one silent second (the platform's own takeover waits the default 30 s). */
  private static final Duration IDLE = Duration.ofSeconds(1);

  @Autowired StatefulRedisConnection<String, String> redis;
  @Autowired RedisQueueDispatcher queue;
  @Autowired EventPublisher events;
  @Autowired GatewayProperties properties;
  @Autowired MeterRegistry meters;

  private QueueTakeover quickTakeover() {
    GatewayProperties.Dispatch d = properties.dispatch();
    GatewayProperties p = new GatewayProperties(properties.redis(), properties.mongo(), properties.s3(),
        properties.submissions(), properties.security(), properties.stream(), properties.runner(), properties.challenges(),
        new GatewayProperties.Dispatch(d.mode(), d.namespace(), d.deadlineMargin(), d.jobOwner(), IDLE, IDLE, d.maxAttempts()),
        properties.cors(), properties.instanceId());
    return new QueueTakeover(redis, queue, events, p);
  }

  private static Challenge click() {
    return Grading.catalogueChallenge(Grading.CLICK_CHALLENGE);
  }

  /**
   * Queues attempt {@code n} of a submission, taken at once by a worker that will never report
   * (a script: no live worker gets to see the entry first).
   */
  private Attempt queuedAndTakenBySilentWorker(String id, long n) {
    Attempt attempt = Attempt.begin(id, n);
    RedisCommands<String, String> r = redis.sync();
    Long begun = r.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.beginAttemptKeys(id),
        RedisLayout.beginAttemptArgs(n, attempt.token()));
    assertThat(begun).isEqualTo(n);
    List<String> args = new ArrayList<>(List.of("w-silent"));
    QueuedJob.fields(click(), Grading.CLICK_CORRECT, attempt).forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    r.eval("""
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        redis.call('XREADGROUP', 'GROUP', KEYS[2], ARGV[1], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
        return id
        """, ScriptOutputType.VALUE, new String[] {RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP},
        args.toArray(String[]::new));
    return attempt;
  }

  private void report(Attempt attempt, GradingEvent event) {
    redis.sync().xadd(RedisLayout.INBOX_STREAM, new InboxEntry(attempt, event).fields());
  }

  private List<GradingEvent> history(String id) {
    return redis.sync().lrange(RedisLayout.historyKey(id), 0, -1).stream().map(GradingEvent::fromJson).toList();
  }

  private List<GradingEvent> awaitVerdict(String id) {
    return eventually(WAIT, () -> {
      List<GradingEvent> h = history(id);
      assertThat(h).isNotEmpty().last().satisfies(e -> assertThat(e.isTerminal()).isTrue());
      return h;
    });
  }

  private static void assertGapFreeWithOneVerdict(List<GradingEvent> events) {
    assertThat(events).extracting(GradingEvent::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events).filteredOn(GradingEvent::isTerminal).hasSize(1);
  }

  private void assertNoJobOf(String id) {
    eventually(WAIT, () -> {
      assertThat(redis.sync().xrange(RedisLayout.JOB_STREAM, io.lettuce.core.Range.create("-", "+")))
          .noneMatch(m -> id.equals(m.getBody().get(QueuedJob.SUBMISSION_ID)));
      return null;
    });
  }

  private static String newId() {
    return "t" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void aSilentWorkersJobIsTakenOverAndTheSilentWorkersLateEventsAreRefused() throws Exception {
    String id = newId();
    events.queued(id).block();
    Attempt silent = queuedAndTakenBySilentWorker(id, 1);
    EventSequence own = new EventSequence(id, 1);
    report(silent, own.started(null));
    eventually(WAIT, () -> {
      assertThat(history(id)).extracting(GradingEvent::type).containsExactly(EventType.QUEUED, EventType.STARTED);
      return null;
    });

    Thread.sleep(IDLE.toMillis() + 200);
    assertThat(quickTakeover().takeOver().block(WAIT)).isEqualTo(1);
    // The silent worker comes back (it was paused, or partitioned) and goes on as if nothing happened.
    report(silent, own.testStarted(0, "clicking changes the label"));
    report(silent, own.verdict(Verdict.of(VerdictStatus.WRONG_ANSWER, "from the superseded attempt", 1, 5)));

    List<GradingEvent> log = awaitVerdict(id);
    assertGapFreeWithOneVerdict(log);
    assertThat(log.get(log.size() - 1).verdict().status()).as("attempt 2, by the live worker").isEqualTo(VerdictStatus.ACCEPTED);
    Thread.sleep(500); // the stale entries were relayed (and refused) too
    assertThat(history(id)).hasSize(log.size()).noneMatch(e -> e.message() != null && e.message().contains("superseded"));
    assertThat(redis.sync().hget(RedisLayout.attemptKey(id), "n")).isEqualTo("2");
    assertNoJobOf(id);
  }

  @Test
  void aJobWhoseWorkersKeepGoingSilentEndsWithInternalErrorAfterTheLastAttempt() throws Exception {
    String id = newId();
    events.queued(id).block();
    queuedAndTakenBySilentWorker(id, properties.dispatch().maxAttempts());
    Thread.sleep(IDLE.toMillis() + 200);
    assertThat(quickTakeover().takeOver().block(WAIT)).isEqualTo(1);
    List<GradingEvent> log = awaitVerdict(id);
    assertGapFreeWithOneVerdict(log);
    Verdict verdict = log.get(log.size() - 1).verdict();
    assertThat(verdict.status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
    assertThat(verdict.message()).contains("went silent");
    assertNoJobOf(id);
    assertThat(redis.sync().hget(RedisLayout.attemptKey(id), "n")).as("no attempt after the last").isEqualTo("3");
  }

  @Test
  void aTakeoverCutShortIsFinishedWithoutASecondAttempt() throws Exception {
    // A gateway began attempt 2 and queued it, then died before removing attempt 1's entry.
    String id = newId();
    events.queued(id).block();
    queuedAndTakenBySilentWorker(id, 1);
    assertThat(queue.enqueue(click(), Grading.CLICK_CORRECT, Attempt.begin(id, 2)).block(WAIT))
        .isEqualTo(RedisLayout.Begun.BEGUN);
    awaitVerdict(id);
    Thread.sleep(IDLE.toMillis() + 200);
    quickTakeover().takeOver().block(WAIT);
    assertNoJobOf(id);
    assertThat(redis.sync().hget(RedisLayout.attemptKey(id), "n")).isEqualTo("2");
    assertGapFreeWithOneVerdict(history(id));
  }

  @Test
  void forgedMisdirectedMalformedAndReorderedRunnerEventsAreHandledByTheRelay() {
    String mine = newId();
    String theirs = newId();
    events.queued(mine).block();
    events.queued(theirs).block();
    Attempt myAttempt = Attempt.begin(mine, 1);
    Attempt theirAttempt = Attempt.begin(theirs, 1);
    for (Attempt a : List.of(myAttempt, theirAttempt)) {
      redis.sync().eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER, RedisLayout.beginAttemptKeys(a.submissionId()),
          RedisLayout.beginAttemptArgs(1, a.token()));
    }
    double refusedBefore = meters.counter("kubegrade.inbox.refused").count();

    // A compromised runner holds its own token and tries to end someone else's submission with it,
    // then with a guessed one; and adds what is not an event at all.
    Verdict forged = Verdict.of(VerdictStatus.ACCEPTED, "forged", 1, 1);
    report(new Attempt(theirs, 1, myAttempt.token()), new EventSequence(theirs, 1).verdict(forged));
    report(new Attempt(theirs, 1, "0".repeat(32)), new EventSequence(theirs, 1).verdict(forged));
    redis.sync().xadd(RedisLayout.INBOX_STREAM, Map.of("submission", theirs, "event", "not json"));

    // Its own events arrive out of order (two gateways relaying): the log still gets them in order.
    EventSequence own = new EventSequence(mine, 1);
    GradingEvent started = own.started(null);
    GradingEvent verdict = own.verdict(Verdict.of(VerdictStatus.WRONG_ANSWER, "0 of 1 tests passed", 1, 7));
    report(myAttempt, verdict);
    report(myAttempt, started);
    report(myAttempt, started); // and one twice

    List<GradingEvent> log = awaitVerdict(mine);
    assertThat(log).extracting(GradingEvent::type).containsExactly(EventType.QUEUED, EventType.STARTED, EventType.VERDICT);
    assertThat(log.get(2).verdict().status()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    eventually(WAIT, () -> {
      assertThat(meters.counter("kubegrade.inbox.refused").count()).isEqualTo(refusedBefore + 2);
      assertThat(redis.sync().xlen(RedisLayout.INBOX_STREAM)).as("every entry handled and removed").isZero();
      return null;
    });
    assertThat(history(theirs)).extracting(GradingEvent::type).containsExactly(EventType.QUEUED);
  }
}
