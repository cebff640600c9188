package io.kubegrade.operator.warm;

import io.kubegrade.api.job.WarmAssignment;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/** {@link WarmClaims} in Redis: one {@link RedisLayout#ASSIGN_WARM} per claim, with the connection's short timeout. */
public final class RedisWarmClaims implements WarmClaims {
  private final StatefulRedisConnection<String, String> redis;

  public RedisWarmClaims(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  @Override
  public RedisLayout.Claimed claim(String warmToken, String claimant, WarmAssignment assignment) {
    Long result = redis.sync().eval(RedisLayout.ASSIGN_WARM, ScriptOutputType.INTEGER, RedisLayout.assignWarmKeys(warmToken),
        RedisLayout.assignWarmArgs(claimant, assignment == null ? null : assignment.toJson()));
    return RedisLayout.Claimed.of(result);
  }
}
