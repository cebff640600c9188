package io.kubegrade.operator.warm;

import io.kubegrade.api.job.WarmAssignment;
import io.kubegrade.api.redis.RedisLayout;

/**
 * Who has a warm pod. A pod is claimed once, ever - by the job it is given to (with the job handed
 * over in the same step) or by the pool taking it out of service - so two jobs can never be given
 * one pod, whichever operator threads or instances try (RedisLayout.ASSIGN_WARM).
 */
public interface WarmClaims {

  /**
   * Claims the pod whose token is {@code warmToken} for {@code claimant}, handing it
   * {@code assignment} (null: no job, the pod is being retired).
   */
  RedisLayout.Claimed claim(String warmToken, String claimant, WarmAssignment assignment);
}
