package io.kubegrade.operator.verdict;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.job.Attempt;
import java.util.Optional;

/**
 * The operator's side of a submission's event log: it begins each runner pod's attempt, and ends
 * the stream when the operator, not the runner, decides the verdict (OOM kill, deadline, retries
 * exhausted), so no client waits forever.
 */
public interface VerdictPublisher {

  /** The verdict the submission already has (published by a runner, the gateway or an operator), if any. */
  Optional<Verdict> existing(String submissionId);

  /**
   * Publishes {@code verdict} as the submission's terminal event unless it already has one, and
   * returns the verdict that stands (the one already published, if any).
   */
  Verdict conclude(String submissionId, Verdict verdict);

  /**
   * Begins attempt {@code attempt} of the submission - or, when that number was taken (an earlier
   * operator began it and never made its pod), the next free one - fencing every earlier attempt,
   * and returns it with its capability; empty when the submission is already concluded.
   */
  Optional<Attempt> begin(String submissionId, int attempt);
}
