package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.storage.ObjectStore;
import io.kubegrade.gateway.storage.RedisStreams;
import io.kubegrade.gateway.storage.StreamGroupReader;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Base64;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Relays what runners report into their submissions' logs. Runners may not write a log
 * (RedisLayout.RUNNER_ACL): they add each event to {@link RedisLayout#INBOX_STREAM} with their
 * attempt's capability, and every gateway reads the inbox as the consumer group
 * {@link RedisLayout#RELAYS_GROUP} and runs {@link RedisLayout#APPEND_EVENT} with it, which checks
 * the capability against the current attempt and numbers the event. A verdict's screenshot is
 * stored first, so the verdict every client sees refers to it and a client that has seen VERDICT
 * can fetch it. An event another gateway's earlier one must precede waits a moment (the script
 * answers "out of turn"); entries a gateway took and never finished are claimed by the others.
 */
@Component
public class InboxRelay implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(InboxRelay.class);
  /** How long an event whose predecessor another gateway holds waits here before it is left to be claimed. */
  static final Duration OUT_OF_TURN_PATIENCE = Duration.ofSeconds(5);
  private static final int RELAY_CONCURRENCY = 64;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> redis;
  private final SubmissionStore store;
  private final ObjectStore objects;
  private final GatewayProperties.Stream settings;
  private final String consumerName;
  private final MeterRegistry meters;
  private volatile StreamGroupReader reader;

  public InboxRelay(RedisClient client, StatefulRedisConnection<String, String> redis, SubmissionStore store,
      ObjectStore objects, GatewayProperties properties, MeterRegistry meters) {
    this.client = client;
    this.redis = redis;
    this.store = store;
    this.objects = objects;
    this.settings = properties.stream();
    this.consumerName = properties.consumerName();
    this.meters = meters;
  }

  public static Mono<Void> ensureGroup(StatefulRedisConnection<String, String> redis) {
    return RedisStreams.ensureGroup(redis, RedisLayout.INBOX_STREAM, RedisLayout.RELAYS_GROUP);
  }

  @Override
  public void start() {
    // Concurrently: an event that must wait for an earlier one (held by another gateway) does not
    // hold up the others; one connection keeps the commands of the rest in the order read.
    reader = StreamGroupReader.start(client, redis, RedisLayout.INBOX_STREAM, RedisLayout.RELAYS_GROUP, consumerName,
        256, RELAY_CONCURRENCY, settings.claimIdle(), settings.claimEvery(), "runner events", this::relay);
  }

  /** One entry: appended (or found redundant, stale or forged) and acknowledged; or left pending. */
  Mono<Void> relay(StreamMessage<String, String> message) {
    InboxEntry entry;
    try {
      entry = InboxEntry.parse(message.getBody());
    } catch (IllegalArgumentException e) {
      log.warn("dropping a malformed runner event {}: {}", message.getId(), e.getMessage());
      return done(message);
    }
    return withStoredScreenshot(entry)
        .flatMap(event -> append(entry, event)
            .flatMap(result -> result == RedisLayout.Appended.OUT_OF_TURN ? Mono.error(new OutOfTurn()) : Mono.just(result))
            .retryWhen(Retry.fixedDelay(OUT_OF_TURN_PATIENCE.toMillis() / 20, Duration.ofMillis(20))
                .filter(OutOfTurn.class::isInstance)
                // Out of patience: still OutOfTurn (left pending below), not an error that would
                // stop and restart this gateway's whole reading of the inbox.
                .onRetryExhaustedThrow((spec, signal) -> signal.failure())))
        .flatMap(result -> {
          switch (result) {
            case SUPERSEDED -> log.info("dropped an event of {}: a later attempt began", entry.attempt());
            case REFUSED -> {
              // Not the attempt's token: a runner claiming another's submission, or a forged entry.
              log.warn("refused an event claiming {}: its capability is not that attempt's", entry.attempt());
              meters.counter("kubegrade.inbox.refused").increment();
            }
            default -> { }
          }
          return done(message);
        })
        .onErrorResume(OutOfTurn.class, e -> {
          log.info("an event of {} waits for an earlier one another gateway holds", entry.attempt());
          return Mono.empty(); // left pending: this or another gateway claims it again
        });
  }

  private Mono<RedisLayout.Appended> append(InboxEntry entry, GradingEvent event) {
    return redis.reactive().<Long>eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
            RedisLayout.appendEventKeys(event.submissionId()),
            RedisLayout.appendEventArgs(event, entry.attempt().number(), entry.attempt().token()))
        .next()
        .map(RedisLayout.Appended::of);
  }

  /**
   * The verdict with its screenshot stored (under the submission's owner and challenge) and
   * referred to by path instead of carried inline; the event unchanged when it has none. Only the
   * current attempt's runner may store one: anyone else's image is dropped before it is written
   * (the log refuses their verdict anyway), so no runner can replace another learner's screenshot.
   */
  private Mono<GradingEvent> withStoredScreenshot(InboxEntry entry) {
    GradingEvent event = entry.event();
    Verdict verdict = event.verdict();
    if (verdict == null || verdict.screenshotPng() == null) {
      return Mono.just(event);
    }
    GradingEvent without = event.withVerdict(verdict.withoutScreenshot());
    byte[] png;
    try {
      png = Base64.getDecoder().decode(verdict.screenshotPng());
    } catch (IllegalArgumentException e) {
      return Mono.just(without);
    }
    return isCurrent(entry).flatMap(current -> !current ? Mono.just(without) : store.findRaw(event.submissionId())
        .flatMap((Document doc) -> objects.put(ObjectStore.screenshotKey(doc.getString("user"), doc.getString("challengeId"),
                event.submissionId()), png, "image/png")
            .thenReturn(event.withVerdict(verdict.withScreenshotAt(screenshotPath(event.submissionId())))))
        .defaultIfEmpty(without)
        .retryWhen(Retry.backoff(5, Duration.ofMillis(200)).doBeforeRetry(s ->
            log.warn("storing the screenshot of {} failed, retrying: {}", event.submissionId(), s.failure().toString())))
        .onErrorResume(e -> {
          log.error("could not store the screenshot of {}; its verdict goes without: {}", event.submissionId(), e.toString());
          return Mono.just(without);
        }));
  }

  /** Whether the entry's attempt is the current one and its token that attempt's. */
  private Mono<Boolean> isCurrent(InboxEntry entry) {
    return redis.reactive().hmget(RedisLayout.attemptKey(entry.attempt().submissionId()), "n", "h")
        .collectMap(kv -> kv.getKey(), kv -> kv.getValueOrElse(""))
        .map(f -> String.valueOf(entry.attempt().number()).equals(f.get("n"))
            && entry.attempt().tokenHash().equals(f.get("h")));
  }

  public static String screenshotPath(String submissionId) {
    return "/api/v1/submissions/" + submissionId + "/screenshot";
  }

  private Mono<Void> done(StreamMessage<String, String> message) {
    return redis.reactive().xack(RedisLayout.INBOX_STREAM, RedisLayout.RELAYS_GROUP, message.getId())
        .then(redis.reactive().xdel(RedisLayout.INBOX_STREAM, message.getId()))
        .then();
  }

  private static final class OutOfTurn extends RuntimeException {
    OutOfTurn() {
      super("an earlier event of this attempt has not been relayed yet", null, false, false);
    }
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
