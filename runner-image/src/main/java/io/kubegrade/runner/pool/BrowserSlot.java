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
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  /** How long recycling waits for the next page: more than preparing one may take (HarnessPage). */
  private static final Duration PREPARE_WAIT = Duration.ofSeconds(20);

  private final int index;
  private final PoolSettings settings;
  private final HarnessServer server;
  private final Watchdog watchdog;
  private final String inspector;

  /** Prepares the next page while a submission is graded on the current one. */
  private final ExecutorService preparer;
  private ChromeBrowser browser;
  private HomeTab home;
  private HarnessPage next;
  private Future<HarnessPage> upcoming;
  private HarnessPage used;
  private int graded;

  BrowserSlot(int index, PoolSettings settings, HarnessServer server, Watchdog watchdog, String inspector) {
    this.index = index;
    this.settings = settings;
    this.server = server;
    this.watchdog = watchdog;
    this.inspector = inspector;
    this.preparer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "kubegrade-prepare-" + index);
      t.setDaemon(true);
      return t;
    });
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
    used.bringToFront();
    // The next page loads in a tab of its own, at an origin of its own, while this submission is
    // graded - from its first hold on, when grading only watches the page, so that loading it
    // slows this submission as little as it can: back to back, a submission no longer waits for
    // its page. Nothing connects the two tabs: no opener, no name, another origin.
    Runnable prepareNext = () -> {
      if (upcoming == null && settings.prepareAhead() && graded < settings.recycleAfter()) {
        upcoming = preparer.submit(() -> prepare(false));
      }
    };
    return new SubmissionGrader(used, home, request.challenge(), events, sink, prepareNext).grade(request.source());
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
      HarnessPage ready = takeUpcoming();
      // Everything but the home tab and the page prepared for the next submission goes: the used
      // page and anything it opened. Straight through DevTools: chromedriver's current window
      // stays the home tab for the browser's whole life.
      for (String tab : browser.tabs()) {
        if (!tab.equals(home.handle()) && (ready == null || !tab.equals(ready.handle()))) {
          browser.closeTabDirectly(tab);
        }
      }
      if (usedOrigin != null) {
        // What the submission stored (every storage type, and cookies, which a page may set for
        // the parent domain) is deleted with it, not left on disk until the browser goes.
        home.forget(usedOrigin);
      }
      if (ready == null) {
        next = prepare(idle && settings.prewarm());
      } else {
        next = ready;
        if (idle && settings.prewarm()) {
          next.warmUp();
        }
      }
    } catch (BrowserCrashedException | WebDriverException e) {
      log.warn("slot {}: browser unusable ({}), starting a new one", index, e.getMessage());
      restart();
    }
  }

  /** The page prepared during the last submission, once it is ready; null if none was started. */
  private HarnessPage takeUpcoming() {
    Future<HarnessPage> pending = upcoming;
    upcoming = null;
    if (pending == null) {
      return null;
    }
    try {
      return pending.get(PREPARE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BrowserCrashedException b ? b
          : new BrowserCrashedException("preparing the next page failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new BrowserCrashedException("the next page was not ready within " + PREPARE_WAIT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrowserCrashedException("interrupted while waiting for the next page", e);
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
    Future<HarnessPage> pending = upcoming;
    upcoming = null;
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
    if (pending != null) {
      try {
        pending.get(PREPARE_WAIT.toMillis(), TimeUnit.MILLISECONDS); // fails fast: its browser is gone
      } catch (ExecutionException | TimeoutException | CancellationException e) {
        log.debug("slot {}: the page being prepared went with its browser ({})", index, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    closeBrowser();
    preparer.shutdownNow();
  }
}
