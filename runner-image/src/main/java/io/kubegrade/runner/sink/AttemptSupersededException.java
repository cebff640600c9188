package io.kubegrade.runner.sink;

import io.kubegrade.api.job.Attempt;

/**
 * This runner's attempt no longer counts: a later attempt began (the job was taken over from a
 * runner thought lost, or retried on a fresh pod), or the submission was concluded meanwhile. The
 * event log refuses its events, so the runner stops grading at once.
 */
public final class AttemptSupersededException extends RuntimeException {
  public AttemptSupersededException(Attempt attempt, String why) {
    super(attempt + " no longer counts: " + why + "; stopping");
  }
}
