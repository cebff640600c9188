package io.kubegrade.gateway.submission;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.storage.ObjectStore;
import io.kubegrade.gateway.storage.RedisStreams;
import io.kubegrade.gateway.storage.StreamGroupReader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The durable path from a verdict in Redis to MongoDB, independent of pub/sub. Every terminal event
 * is also appended to {@link RedisLayout#VERDICT_STREAM}; gateways read it as the consumer group
 * {@link RedisLayout#GATEWAYS_GROUP}, record the verdict (a conditional MongoDB update; its
 * screenshot is already stored) and only then acknowledge. An entry a gateway took but never acknowledged (it
 * crashed or restarted) is claimed by a live gateway after {@code kubegrade.stream.claim-idle}; a
 * gateway that restarts under the same instance id first re-reads its own pending entries. The
 * conditional update makes redelivery harmless: each verdict is recorded exactly once.
 */
@Component
public class VerdictRecorder implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(VerdictRecorder.class);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> redis;
  private final SubmissionStore store;
  private final GatewayProperties.Stream settings;
  private final String consumerName;
  private final MeterRegistry meters;
  private final Timer latency;
  private volatile StreamGroupReader reader;

  public VerdictRecorder(RedisClient client, StatefulRedisConnection<String, String> redis, SubmissionStore store,
      GatewayProperties properties, MeterRegistry meters) {
    this.client = client;
    this.redis = redis;
    this.store = store;
    this.settings = properties.stream();
    this.consumerName = properties.consumerName();
    this.meters = meters;
    this.latency = Timer.builder("kubegrade.grading.latency").description("Submission accepted to verdict recorded")
        .publishPercentileHistogram().register(meters);
  }

  public static Mono<Void> ensureGroup(StatefulRedisConnection<String, String> redis) {
    return RedisStreams.ensureGroup(redis, RedisLayout.VERDICT_STREAM, RedisLayout.GATEWAYS_GROUP);
  }

  @Override
  public void start() {
    reader = StreamGroupReader.start(client, redis, RedisLayout.VERDICT_STREAM, RedisLayout.GATEWAYS_GROUP, consumerName,
        64, 1, settings.claimIdle(), settings.claimEvery(), "verdicts", this::record);
  }

  private Mono<Void> record(StreamMessage<String, String> message) {
    String json = message.getBody().get("event");
    GradingEvent event;
    try {
      event = GradingEvent.fromJson(json);
    } catch (IllegalArgumentException | NullPointerException e) {
      log.error("dropping malformed verdict entry {}", message.getId());
      return ack(message);
    }
    return store.findRaw(event.submissionId())
        .flatMap(doc -> {
          if (doc.get("terminalEvent") != null) {
            return Mono.<Void>empty();
          }
          // The relay stored the screenshot before the verdict entered the log (InboxRelay).
          String shotKey = event.verdict() == null || event.verdict().screenshot() == null ? null
              : ObjectStore.screenshotKey(doc.getString("user"), doc.getString("challengeId"), event.submissionId());
          return store.recordVerdict(event, shotKey).doOnNext(recorded -> {
            if (recorded) {
              meters.counter("kubegrade.verdicts", "status", event.verdict().status().name()).increment();
              Date created = doc.getDate("createdAt");
              if (created != null) {
                latency.record(Duration.between(created.toInstant(), Instant.now()));
              }
            }
          }).then();
        })
        .then(ack(message));
  }

  private Mono<Void> ack(StreamMessage<String, String> message) {
    return redis.reactive().xack(RedisLayout.VERDICT_STREAM, RedisLayout.GATEWAYS_GROUP, message.getId()).then();
  }

  @Override
  public void stop() {
    if (reader != null) {
      reader.dispose();
      reader = null;
    }
  }

  @Override
  public boolean isRunning() {
    return reader != null;
  }
}
