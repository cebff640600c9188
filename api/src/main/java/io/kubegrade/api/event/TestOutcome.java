package io.kubegrade.api.event;

public enum TestOutcome {
  PASSED,
  FAILED,
  /** Not run, because the run ended before it (time limit, crash, compile error). */
  SKIPPED
}
