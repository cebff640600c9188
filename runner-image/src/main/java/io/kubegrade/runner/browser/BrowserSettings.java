package io.kubegrade.runner.browser;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to start Chromium. {@code workRoot} holds every browser's profile, HOME and temp files;
 * {@code jsHeapMb} caps each renderer's V8 heap so a runaway submission crashes its tab, not the host.
 */
public record BrowserSettings(
    Path chromium,
    Path chromedriver,
    Path workRoot,
    int jsHeapMb,
    Duration startTimeout) {

  public BrowserSettings {
    if (jsHeapMb < 16) {
      throw new IllegalArgumentException("jsHeapMb must be at least 16");
    }
  }
}
