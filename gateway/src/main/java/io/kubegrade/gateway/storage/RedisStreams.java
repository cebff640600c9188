package io.kubegrade.gateway.storage;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import reactor.core.publisher.Mono;

/** Helpers for the Redis streams the gateway writes (jobs) and reads (verdicts). */
public final class RedisStreams {
  private RedisStreams() {}

  /**
   * Creates {@code stream} and its consumer {@code group} reading from the start, unless the group
   * exists: an entry added before anyone reads is then still delivered.
   */
  public static Mono<Void> ensureGroup(StatefulRedisConnection<String, String> redis, String stream, String group) {
    return redis.reactive()
        .xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream())
        .onErrorResume(RedisBusyException.class, e -> Mono.empty())
        .then();
  }
}
