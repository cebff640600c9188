package io.kubegrade.gateway.dispatch;

import io.kubegrade.api.challenge.Challenge;
import reactor.core.publisher.Mono;

/**
 * Hands an accepted submission to whatever grades it: the Redis job queue read by warm runner
 * pools, or (with the operator) a GradingJob resource per submission.
 */
public interface Dispatcher {

  Mono<Void> dispatch(String submissionId, String user, Challenge challenge, String source, String sourceKey);

  /** Jobs waiting or running, for the queue-depth metric; empty when not known. */
  Mono<Long> depth();
}
