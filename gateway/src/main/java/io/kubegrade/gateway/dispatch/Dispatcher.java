package io.kubegrade.gateway.dispatch;

import io.kubegrade.api.challenge.Challenge;
import reactor.core.publisher.Mono;

/**
 * Hands an accepted submission to whatever grades it: the Redis job queue read by warm runner
 * pools, or (with the operator) a GradingJob resource per submission.
 */
public interface Dispatcher {

  Mono<Void> dispatch(String submissionId, String user, Challenge challenge, String source, String sourceKey);

  /**
   * Whether something other than the gateway will still end this submission: in Kubernetes mode,
   * its GradingJob exists and is not final (the operator's clocks - pending timeout, deadline,
   * retries - end every job it has). The gateway's max-wait sweeper ends only what nobody has.
   */
  default Mono<Boolean> endsItself(String submissionId) {
    return Mono.just(false);
  }

  /** Jobs waiting or running, for the queue-depth metric; empty when not known. */
  Mono<Long> depth();
}
