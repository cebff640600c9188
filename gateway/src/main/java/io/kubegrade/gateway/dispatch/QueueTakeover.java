package io.kubegrade.gateway.dispatch;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.ops.PeriodicTask;
import io.kubegrade.gateway.stream.EventPublisher;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.PendingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Queue mode: a job whose worker has sent no heartbeat for {@code takeoverIdle} - it died, or
 * stalls - is taken over by the gateway, not by another worker: the gateway begins the next attempt
 * and queues it as a new job in one step (which fences the silent worker: should it come back, its
 * events are refused and it stops), then removes the old entry. After {@code maxAttempts} attempts the submission ends
 * with INTERNAL_ERROR instead. Claiming the stale entry first (XCLAIM with its minimum idle time)
 * makes one gateway do each takeover.
 */
@Component
@ConditionalOnProperty(prefix = "kubegrade.dispatch", name = "mode", havingValue = "queue", matchIfMissing = true)
public class QueueTakeover extends PeriodicTask {
  private static final Logger log = LoggerFactory.getLogger(QueueTakeover.class);
  static final String CONSUMER = "gateway-takeover";

  private final StatefulRedisConnection<String, String> redis;
  private final RedisQueueDispatcher queue;
  private final EventPublisher events;
  private final GatewayProperties.Dispatch settings;

  public QueueTakeover(StatefulRedisConnection<String, String> redis, RedisQueueDispatcher queue, EventPublisher events,
      GatewayProperties properties) {
    super("taking over jobs of silent workers", properties.dispatch().takeoverEvery(), properties.dispatch().takeoverEvery());
    this.redis = redis;
    this.queue = queue;
    this.events = events;
    this.settings = properties.dispatch();
  }

  @Override
  protected Mono<Void> runOnce() {
    return takeOver().then();
  }

  /** Takes over every job idle past the limit; how many. */
  Mono<Long> takeOver() {
    return redis.reactive().xpending(RedisLayout.JOB_STREAM,
            XPendingArgs.Builder.xpending(RedisLayout.RUNNERS_GROUP, Range.create("-", "+"), Limit.from(64))
                .idle(settings.takeoverIdle()))
        .concatMap(this::claim)
        .concatMap(message -> takeOver(message).thenReturn(message))
        .count();
  }

  private Flux<StreamMessage<String, String>> claim(PendingMessage pending) {
    return redis.reactive().xclaim(RedisLayout.JOB_STREAM, Consumer.from(RedisLayout.RUNNERS_GROUP, CONSUMER),
        XClaimArgs.Builder.minIdleTime(settings.takeoverIdle()), pending.getId());
  }

  private Mono<Void> takeOver(StreamMessage<String, String> message) {
    QueuedJob job;
    try {
      job = QueuedJob.parse(message.getBody());
    } catch (IllegalArgumentException e) {
      log.error("removing malformed job {}: {}", message.getId(), e.getMessage());
      return remove(message);
    }
    Attempt lost = job.attempt();
    Mono<Void> next;
    if (lost.number() >= settings.maxAttempts()) {
      Verdict verdict = Verdict.of(VerdictStatus.INTERNAL_ERROR, "grading was started " + lost.number()
          + " times and the worker went silent each time", job.request().challenge().tests().size(), 0);
      next = events.conclude(lost.submissionId(), verdict)
          .doOnNext(o -> log.error("{}: its worker went silent; after {} attempts it ends with INTERNAL_ERROR ({})",
              lost, lost.number(), o))
          .then();
    } else {
      Attempt attempt = Attempt.begin(lost.submissionId(), lost.number() + 1);
      next = queue.enqueue(job.request().challenge(), job.request().source(), attempt)
          .doOnNext(begun -> {
            switch (begun) {
              case BEGUN -> log.warn("{}: its worker went silent for {}; queued as attempt {}", lost,
                  settings.takeoverIdle(), attempt.number());
              // A later attempt has its own job already (an earlier takeover that stopped short of
              // removing this entry), or the submission ended: either way this entry is dead.
              case TAKEN -> log.info("{}: a later attempt is queued already; removing its job", lost);
              case CONCLUDED -> log.info("{}: the submission is concluded; removing its job", lost);
            }
          })
          .then();
    }
    // The old entry goes only once the next attempt is queued (or the submission concluded).
    return next.then(remove(message));
  }

  private Mono<Void> remove(StreamMessage<String, String> message) {
    return redis.reactive().xack(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP, message.getId())
        .then(redis.reactive().xdel(RedisLayout.JOB_STREAM, message.getId()))
        .then();
  }
}
