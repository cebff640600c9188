package io.kubegrade.api.gradingjob;

/**
 * Where a job is in its life. Succeeded: graded, whatever the verdict (a wrong answer is a
 * successful grading). Failed: no verdict about the code could be reached (INTERNAL_ERROR,
 * CANCELLED). Both are final.
 */
public enum GradingJobPhase {
  Queued, Scheduled, Running, Succeeded, Failed;

  public boolean isFinal() {
    return this == Succeeded || this == Failed;
  }

  /** Holding (or about to hold) a runner pod, so counted against the admission limit. */
  public boolean isActive() {
    return this == Scheduled || this == Running;
  }
}
