package io.kubegrade.runner.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real redis-server: live publish, replayable history numbered by the log, nothing after the verdict. */
class RedisEventSinkIT {
  private static RedisServerProcess redis;
  private static RedisClient client;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
    client = RedisClient.create(redis.url());
  }

  @AfterAll
  static void stopRedis() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  @Test
  void eventsArePublishedLiveAndKeptForLateSubscribers() throws Exception {
    BlockingQueue<String> live = new LinkedBlockingQueue<>();
    StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        live.add(message);
      }
    });
    sub.sync().subscribe(RedisEventSink.CHANNEL);

    EventSequence seq = new EventSequence("sub-1", 1);
    List<GradingEvent> sent = List.of(seq.queued(), seq.started(null), seq.testStarted(0, "renders"),
        seq.testFinished(0, new TestResult("renders", TestOutcome.PASSED, 12, null)),
        seq.verdict(Verdict.of(VerdictStatus.ACCEPTED, "all 1 tests passed", 1, 40)));
    try (RedisEventSink sink = RedisEventSink.connect(redis.url())) {
      sent.forEach(sink::publish);
      sink.flush();
    }

    for (GradingEvent expected : sent) {
      String message = live.poll(5, TimeUnit.SECONDS);
      assertThat(message).isNotNull();
      assertThat(GradingEvent.fromJson(message)).isEqualTo(expected);
    }
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> history = c.sync().lrange(RedisEventSink.historyKey("sub-1"), 0, -1);
      assertThat(history).extracting(GradingEvent::fromJson).containsExactlyElementsOf(sent);
      assertThat(c.sync().ttl(RedisEventSink.historyKey("sub-1"))).isPositive();
    }
    sub.close();
  }

  @Test
  void theLogNumbersEventsAndRefusesAnythingAfterTheTerminalOne() {
    EventSequence seq = new EventSequence("sub-2", 7); // the writer's own numbers do not count
    GradingEvent queued = seq.queued();
    GradingEvent verdict = seq.verdict(Verdict.of(VerdictStatus.WRONG_ANSWER, "0 of 1 tests passed", 1, 30));
    try (RedisEventSink sink = RedisEventSink.connect(redis.url())) {
      sink.publish(queued);
      sink.publish(verdict);
      sink.publish(seq.started(null));
      sink.flush();
    }
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().lrange(RedisEventSink.historyKey("sub-2"), 0, -1))
          .extracting(GradingEvent::fromJson)
          .extracting(GradingEvent::seq, GradingEvent::type)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, queued.type()),
              org.assertj.core.groups.Tuple.tuple(2L, verdict.type()));
    }
  }

  @Test
  void flushFailsLoudlyWhenRedisIsGone() {
    RedisServerProcess doomed = RedisServerProcess.start();
    RedisEventSink sink = RedisEventSink.connect(doomed.url());
    doomed.close();
    sink.publish(new EventSequence("sub-3", 1).queued());
    org.assertj.core.api.Assertions.assertThatThrownBy(sink::flush)
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not delivered");
    sink.close();
  }
}
