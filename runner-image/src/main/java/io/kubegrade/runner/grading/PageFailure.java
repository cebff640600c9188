package io.kubegrade.runner.grading;

import io.kubegrade.api.event.VerdictStatus;

/**
 * The page stopped being gradable because of what the submission did: it hung (time limit), ran out
 * of memory, closed itself or navigated away. Ends the run with {@link #status()}.
 */
final class PageFailure extends RuntimeException {
  private final VerdictStatus status;

  PageFailure(VerdictStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  VerdictStatus status() {
    return status;
  }
}
