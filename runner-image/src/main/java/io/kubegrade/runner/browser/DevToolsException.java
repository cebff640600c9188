package io.kubegrade.runner.browser;

/**
 * A DevTools command that did not succeed, and why: the grader tells a page's own doing (it
 * crashed, closed itself, navigated away) from a browser that is unusable by {@link #kind()}.
 */
public final class DevToolsException extends BrowserCrashedException {
  /** Why a command failed. */
  public enum Kind {
    /** The browser answered with a protocol error (an unknown context, bad parameters...). */
    PROTOCOL,
    /** The target's renderer crashed: commands sent to it are never answered. */
    CRASHED,
    /** The connection ended: the target was closed, or the browser went away. */
    CLOSED,
    /** No answer in time. */
    TIMEOUT
  }

  private final Kind kind;

  public DevToolsException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The same failure, saying which command met it. */
  DevToolsException during(String method) {
    return new DevToolsException(kind, method + ": " + getMessage(), this);
  }
}
