package io.kubegrade.runner.pool;

import io.kubegrade.runner.browser.BrowserSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The pool's configuration: {@code size} browsers, each restarted after {@code recycleAfter}
 * submissions to bound slow growth (caches, leaked renderer memory). {@code prewarm} renders with
 * React a few times in each prepared page so submissions meet warm JIT code: worth it for a pool,
 * not for a one-shot grade where preparing the page is itself on the clock. {@code prepareAhead}
 * loads each browser's next page while it grades a submission: worth it for a pool that grades
 * one submission after another, wasted CPU for a runner that grades one and exits (a pod).
 */
public record PoolSettings(BrowserSettings browser, int size, int recycleAfter, boolean prewarm, boolean prepareAhead) {

  public PoolSettings {
    if (size < 1 || size > 64) {
      throw new IllegalArgumentException("pool size must be between 1 and 64, was " + size);
    }
    if (recycleAfter < 1) {
      throw new IllegalArgumentException("recycleAfter must be at least 1");
    }
  }

  /**
   * From environment variables (KUBEGRADE_CHROMIUM, KUBEGRADE_CHROMEDRIVER, KUBEGRADE_WORK_DIR,
   * KUBEGRADE_POOL_SIZE, KUBEGRADE_JS_HEAP_MB, KUBEGRADE_RECYCLE_AFTER, KUBEGRADE_PREWARM), each overridable by the
   * system property of the same name in lower case with dots (kubegrade.pool.size).
   */
  public static PoolSettings fromEnvironment(Map<String, String> env) {
    BrowserSettings browser = new BrowserSettings(
        Path.of(setting(env, "KUBEGRADE_CHROMIUM", "/usr/lib/chromium/chromium")),
        Path.of(setting(env, "KUBEGRADE_CHROMEDRIVER", "/usr/bin/chromedriver")),
        Path.of(setting(env, "KUBEGRADE_WORK_DIR", System.getProperty("java.io.tmpdir") + "/kubegrade-runner")),
        Integer.parseInt(setting(env, "KUBEGRADE_JS_HEAP_MB", "512")),
        Duration.ofSeconds(30));
    return new PoolSettings(browser,
        Integer.parseInt(setting(env, "KUBEGRADE_POOL_SIZE", "1")),
        Integer.parseInt(setting(env, "KUBEGRADE_RECYCLE_AFTER", "500")),
        Boolean.parseBoolean(setting(env, "KUBEGRADE_PREWARM", "true")), true);
  }

  public PoolSettings withSize(int newSize) {
    return new PoolSettings(browser, newSize, recycleAfter, prewarm, prepareAhead);
  }

  public PoolSettings withPrewarm(boolean warm) {
    return new PoolSettings(browser, size, recycleAfter, warm, prepareAhead);
  }

  /** For a runner that grades one submission and exits: no page is prepared for a next one. */
  public PoolSettings withoutPreparingAhead() {
    return new PoolSettings(browser, size, recycleAfter, prewarm, false);
  }

  static String setting(Map<String, String> env, String name, String fallback) {
    String property = System.getProperty(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
    if (property != null && !property.isBlank()) {
      return property;
    }
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
