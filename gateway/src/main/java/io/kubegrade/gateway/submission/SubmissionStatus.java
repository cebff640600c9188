package io.kubegrade.gateway.submission;

/** Where a submission is: waiting, being graded, or finished with a verdict status. */
public enum SubmissionStatus {
  QUEUED, RUNNING,
  ACCEPTED, WRONG_ANSWER, COMPILE_ERROR, RUNTIME_ERROR, TIME_LIMIT_EXCEEDED, MEMORY_LIMIT_EXCEEDED,
  INTERNAL_ERROR, CANCELLED;

  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }
}
