package io.kubegrade.runner.grading;

import io.kubegrade.api.event.VerdictStatus;

/**
 * The page stopped being gradable because of what the submission did: it hung (time limit), ran out
 * of memory, closed itself or navigated away. Ends the run with {@link #status()}.
 */
final class PageFailure extends RuntimeException {
  private final VerdictStatus status;
  private final long heapBytes;

  PageFailure(VerdictStatus status, String message) {
    this(status, message, -1);
  }

  /** {@code heapBytes}: what the page's JavaScript heap held as it failed, or -1 if unknown. */
  PageFailure(VerdictStatus status, String message, long heapBytes) {
    super(message, null, false, false);
    this.status = status;
    this.heapBytes = heapBytes;
  }

  VerdictStatus status() {
    return status;
  }

  long heapBytes() {
    return heapBytes;
  }
}
