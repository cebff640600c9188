package io.kubegrade.gateway.dispatch;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.storage.RedisStreams;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Queue mode: one entry per job on {@link RedisLayout#JOB_STREAM}. Runner workers read it through
 * a consumer group, so a job stays pending (and is claimed by another worker) until its verdict is
 * stored, even if the worker grading it dies.
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
    return redis.reactive().xadd(RedisLayout.JOB_STREAM, QueuedJob.fields(submissionId, challenge, source)).then();
  }

  @Override
  public Mono<Long> depth() {
    return redis.reactive().xlen(RedisLayout.JOB_STREAM);
  }
}
