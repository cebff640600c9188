package io.kubegrade.operator.verdict;

import io.kubegrade.api.event.Verdict;

/**
 * Ends a submission's event stream when the operator, not the runner, decides the verdict (OOM
 * kill, deadline, retries exhausted), so no client waits forever.
 */
public interface VerdictPublisher {

  /** The verdict the submission already has (published by a runner, the gateway or an operator), if any. */
  java.util.Optional<Verdict> existing(String submissionId);

  /**
   * Publishes {@code verdict} as the submission's terminal event unless it already has one, and
   * returns the verdict that stands (the one already published, if any).
   */
  Verdict conclude(String submissionId, Verdict verdict);
}
