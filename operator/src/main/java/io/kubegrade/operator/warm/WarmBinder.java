package io.kubegrade.operator.warm;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.job.Attempt;
import java.util.Optional;

/** What the GradingJob reconciler asks of warm pods: one for this attempt, if there is one. */
public interface WarmBinder {
  /** Warm pods off: every attempt gets a pod created for it. */
  WarmBinder OFF = (job, attempt, sourceUrl) -> Optional.empty();

  /**
   * Gives attempt {@code attempt} of {@code job} to an idle warm pod - the pod learns the job, and
   * from then on is the job's pod (labels, owner, deadline) - and returns that pod; empty when no
   * idle pod fits or is left, and the caller creates one.
   */
  Optional<Pod> bind(GradingJob job, Attempt attempt, String sourceUrl);
}
