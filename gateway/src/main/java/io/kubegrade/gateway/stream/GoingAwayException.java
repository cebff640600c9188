package io.kubegrade.gateway.stream;

/**
 * The gateway is shutting down: its streams end so that it can stop at once rather than wait out
 * its shutdown timeout for clients that never leave. A client reconnects (to another replica) and
 * resumes after the last {@code seq} it saw; nothing is lost.
 */
public class GoingAwayException extends RuntimeException {
  public GoingAwayException() {
    super("the gateway is shutting down: reconnect and resume after the last seq you saw");
  }
}
