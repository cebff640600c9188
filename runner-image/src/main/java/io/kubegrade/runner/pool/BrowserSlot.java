package io.kubegrade.runner.pool;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.browser.ChromeBrowser;
import io.kubegrade.runner.grading.HarnessPage;
import io.kubegrade.runner.grading.HomeTab;
import io.kubegrade.runner.grading.SubmissionGrader;
import io.kubegrade.runner.grading.Watchdog;
import io.kubegrade.runner.harness.HarnessServer;
import io.kubegrade.runner.sink.EventSink;
import java.util.Map;
import org.openqa.selenium.WebDriverException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser and its next page, prepared in advance (fresh origin, libraries loaded, inspector in
 * place) so a submission pays only for its own work. The browser's {@link HomeTab}, where no
 * submission ever runs, compiles submissions and keeps the WebDriver session alive.
 */
final class BrowserSlot implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrowserSlot.class);

  private final int index;
  private final PoolSettings settings;
  private final HarnessServer server;
  private final Watchdog watchdog;
  private final String inspector;

  private ChromeBrowser browser;
  private HomeTab home;
  private HarnessPage next;
  private HarnessPage used;
  private int graded;

  BrowserSlot(int index, PoolSettings settings, HarnessServer server, Watchdog watchdog, String inspector) {
    this.index = index;
    this.settings = settings;
    this.server = server;
    this.watchdog = watchdog;
    this.inspector = inspector;
  }

  void start() {
    browser = ChromeBrowser.launch(settings.browser(), server.port());
    home = HomeTab.open(browser);
    next = prepare(settings.prewarm());
  }

  Verdict grade(GradingRequest request, EventSequence events, EventSink sink) {
    if (browser == null) {
      start(); // an earlier restart failed; try again now rather than fail every job
    }
    if (next == null) {
      next = prepare(false);
    }
    used = next;
    next = null;
    graded++;
    return new SubmissionGrader(used, home, request.challenge(), events, sink).grade(request.source());
  }

  /**
   * Throws away the used page and anything it opened, then prepares the next one - warmed up only
   * when {@code idle} (with jobs waiting, the warm-up would cost more than it saves).
   */
  void recycle(boolean idle) {
    if (browser == null) {
      return; // its restart failed: the next grade() starts one
    }
    try {
      if (graded >= settings.recycleAfter()) {
        log.info("slot {}: restarting its browser after {} submissions", index, graded);
        restart();
        return;
      }
      String usedOrigin = null;
      if (used != null) {
        usedOrigin = used.origin();
        used.discard();
        used = null;
      }
      var driver = browser.driver();
      driver.switchTo().window(home.handle());
      if (usedOrigin != null) {
        // What the submission stored is deleted with it, not left on disk until the browser goes.
        browser.cdp("Storage.clearDataForOrigin", Map.of("origin", usedOrigin, "storageTypes", "all"));
      }
      for (String handle : driver.getWindowHandles()) {
        if (!handle.equals(home.handle())) {
          browser.closeTabDirectly(handle);
        }
      }
      // Origins differ per submission, but a cookie may be set for the parent domain: clear them.
      browser.cdp("Network.clearBrowserCookies", Map.of());
      driver.manage().logs().get("browser");
      next = prepare(idle && settings.prewarm());
    } catch (BrowserCrashedException | WebDriverException e) {
      log.warn("slot {}: browser unusable ({}), starting a new one", index, e.getMessage());
      restart();
    }
  }

  /** Replaces the browser outright (it crashed, hung beyond recovery, or reached its quota). */
  void restart() {
    closeBrowser();
    graded = 0;
    start();
  }

  private HarnessPage prepare(boolean warm) {
    String url = server.newPageUrl();
    try {
      return HarnessPage.open(browser, watchdog, url, inspector, warm);
    } catch (RuntimeException e) {
      server.release(url);
      throw e;
    }
  }

  private void closeBrowser() {
    next = null;
    used = null;
    if (home != null) {
      home.close();
      home = null;
    }
    if (browser != null) {
      browser.close();
      browser = null;
    }
  }

  @Override
  public void close() {
    closeBrowser();
  }
}
