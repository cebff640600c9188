package io.kubegrade.gateway.dispatch;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.storage.RedisStreams;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Queue mode: one entry per attempt on {@link RedisLayout#JOB_STREAM}. The gateway begins attempt 1
 * ({@link RedisLayout#BEGIN_ATTEMPT}) and puts its capability in the entry; runner workers read
 * the stream through a consumer group, so a job stays pending until graded, and one whose worker
 * went silent is taken over as a new attempt ({@link QueueTakeover}).
 */
@Component
public class RedisQueueDispatcher implements Dispatcher {
  private final StatefulRedisConnection<String, String> redis;

  public RedisQueueDispatcher(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  /** The group exists before the first job, so no job is added before anyone could read it. */
  public Mono<Void> ensureGroup() {
    return RedisStreams.ensureGroup(redis, RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP);
  }

  @Override
  public Mono<Void> dispatch(String submissionId, String user, Challenge challenge, String source, String sourceKey) {
    return enqueue(challenge, source, Attempt.begin(submissionId, 1)).flatMap(begun -> begun == RedisLayout.Begun.BEGUN
        ? Mono.<Void>empty()
        : Mono.error(new IllegalStateException("attempt 1 of " + submissionId + " could not begin: " + begun)));
  }

  /**
   * Begins {@code attempt} and queues its job, in one step ({@link RedisLayout#BEGIN_ATTEMPT}):
   * either both happen or neither.
   */
  Mono<RedisLayout.Begun> enqueue(Challenge challenge, String source, Attempt attempt) {
    return redis.reactive().<Long>eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER,
            RedisLayout.queueAttemptKeys(attempt.submissionId()),
            RedisLayout.queueAttemptArgs(attempt.number(), attempt.token(), QueuedJob.fields(challenge, source, attempt)))
        .next()
        .map(result -> RedisLayout.Begun.of(result, attempt.number()));
  }

  @Override
  public Mono<Long> depth() {
    return redis.reactive().xlen(RedisLayout.JOB_STREAM);
  }
}
