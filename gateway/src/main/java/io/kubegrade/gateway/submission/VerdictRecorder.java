package io.kubegrade.gateway.submission;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.storage.ObjectStore;
import io.kubegrade.gateway.storage.RedisStreams;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

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
  private StatefulRedisConnection<String, String> blocking;
  private final Disposable.Composite running = Disposables.composite();
  private volatile boolean started;

  public VerdictRecorder(RedisClient client, StatefulRedisConnection<String, String> redis, SubmissionStore store,
      GatewayProperties properties, MeterRegistry meters) {
    this.client = client;
    this.redis = redis;
    this.store = store;
    this.settings = properties.stream();
    this.consumerName = properties.instanceId().isBlank() ? "gateway-" + UUID.randomUUID() : properties.instanceId();
    this.meters = meters;
    this.latency = Timer.builder("kubegrade.grading.latency").description("Submission accepted to verdict recorded")
        .publishPercentileHistogram().register(meters);
  }

  public static Mono<Void> ensureGroup(StatefulRedisConnection<String, String> redis) {
    return RedisStreams.ensureGroup(redis, RedisLayout.VERDICT_STREAM, RedisLayout.GATEWAYS_GROUP);
  }

  @Override
  public void start() {
    blocking = client.connect();
    Consumer<String> me = Consumer.from(RedisLayout.GATEWAYS_GROUP, consumerName);
    // First what this consumer name was given before a restart, then new entries, for ever.
    Flux<StreamMessage<String, String>> own = Flux.defer(() -> blocking.reactive().xreadgroup(me,
        XReadArgs.Builder.count(64), XReadArgs.StreamOffset.from(RedisLayout.VERDICT_STREAM, "0")));
    Flux<StreamMessage<String, String>> fresh = Flux.defer(() -> blocking.reactive().xreadgroup(me,
            XReadArgs.Builder.count(64).block(Duration.ofSeconds(2)), XReadArgs.StreamOffset.lastConsumed(RedisLayout.VERDICT_STREAM)))
        .repeat(() -> started);
    running.add(ensureGroup(redis).thenMany(own.concatWith(fresh))
        .concatMap(this::record)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
            .filter(e -> started)
            .doBeforeRetry(s -> log.warn("reading verdicts failed, retrying: {}", s.failure().toString())))
        .subscribe());
    running.add(Flux.interval(settings.claimEvery(), settings.claimEvery())
        .onBackpressureDrop()
        .concatMap(t -> claimAbandoned(me).onErrorResume(e -> {
          log.warn("claiming abandoned verdicts failed: {}", e.toString());
          return Mono.empty();
        }))
        .subscribe());
    started = true;
  }

  private Mono<Void> claimAbandoned(Consumer<String> me) {
    return redis.reactive().xautoclaim(RedisLayout.VERDICT_STREAM,
            XAutoClaimArgs.Builder.xautoclaim(me, settings.claimIdle(), "0-0").count(64))
        .flatMapMany(claimed -> Flux.fromIterable(claimed.getMessages()))
        .doOnNext(m -> log.info("recording verdict {} left by another gateway", m.getId()))
        .concatMap(this::record)
        .then();
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
    started = false;
    running.dispose();
    if (blocking != null) {
      blocking.close();
    }
  }

  @Override
  public boolean isRunning() {
    return started;
  }
}
