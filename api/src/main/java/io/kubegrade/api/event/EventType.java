package io.kubegrade.api.event;

public enum EventType {
  /** The submission was accepted and waits for a runner. Always sequence number 1. */
  QUEUED,
  /** A runner picked the submission up. */
  STARTED,
  TEST_STARTED,
  TEST_PASSED,
  TEST_FAILED,
  /** The one terminal event; it carries the {@link Verdict}. Nothing follows it. */
  VERDICT;

  public boolean isTerminal() {
    return this == VERDICT;
  }
}
