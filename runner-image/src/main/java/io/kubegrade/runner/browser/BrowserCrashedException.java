package io.kubegrade.runner.browser;

/** The browser or its driver is gone or unusable; the slot must start a new one. */
public class BrowserCrashedException extends RuntimeException {
  public BrowserCrashedException(String message, Throwable cause) {
    super(message, cause);
  }
}
