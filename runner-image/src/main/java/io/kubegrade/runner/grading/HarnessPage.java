package io.kubegrade.runner.grading;

import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.browser.ChromeBrowser;
import io.kubegrade.runner.browser.DevToolsSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.openqa.selenium.NoSuchSessionException;
import org.openqa.selenium.NoSuchWindowException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.remote.UnreachableBrowserException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One harness tab at its own origin, with the inspector loaded into an isolated world. Every call
 * is bounded by the {@link Watchdog}; failures caused by the page (hang, crash, self-close,
 * navigation) become {@link PageFailure}, failures of the browser become
 * {@link BrowserCrashedException}.
 */
public final class HarnessPage {
  private static final Logger log = LoggerFactory.getLogger(HarnessPage.class);
  /** How long the page's heap is waited for when it has stopped responding. */
  private static final Duration HEAP_PROBE = Duration.ofMillis(1500);
  private static final long HEAP_STEP_MS = 250;
  private static final long HEAP_GROWTH_MIB = 8;
  private static final long HEAP_PATIENCE_MS = 6000;
  static final String WORLD = "kubegrade-inspector";
  /**
   * What one submission may store (IndexedDB, Cache Storage, file systems) at its origin. The
   * browser's own default is a share of the disk: 400 MB of IndexedDB was accepted, and stayed.
   */
  public static final long STORAGE_QUOTA_BYTES = 16L << 20;

  private final ChromeBrowser browser;
  private final Watchdog watchdog;
  private final String handle;
  private final String url;
  private final Object worldId;
  private final DevToolsSocket probe;
  private boolean closed;

  private HarnessPage(ChromeBrowser browser, Watchdog watchdog, String handle, String url, Object worldId, DevToolsSocket probe) {
    this.browser = browser;
    this.watchdog = watchdog;
    this.handle = handle;
    this.url = url;
    this.worldId = worldId;
    this.probe = probe;
  }

  /**
   * Opens a tab at {@code url}, waits for the libraries, loads the inspector beside the page and,
   * with {@code prewarm}, exercises Babel and React there before any submission code exists.
   */
  public static HarnessPage open(ChromeBrowser browser, Watchdog watchdog, String url, String inspectorSource,
      boolean prewarm) {
    var driver = browser.driver();
    try {
      driver.switchTo().newWindow(WindowType.TAB);
      String handle = driver.getWindowHandle();
      browser.cdp("Storage.overrideQuotaForOrigin", Map.of("origin", originOf(url), "quotaSize", STORAGE_QUOTA_BYTES));
      driver.get(url);
      @SuppressWarnings("unchecked")
      Map<String, Object> frame = (Map<String, Object>) browser.cdp("Page.getFrameTree", Map.of()).get("frameTree");
      @SuppressWarnings("unchecked")
      Object frameId = ((Map<String, Object>) frame.get("frame")).get("id");
      Object worldId = browser.cdp("Page.createIsolatedWorld",
          Map.of("frameId", frameId, "worldName", WORLD, "grantUniveralAccess", false)).get("executionContextId");
      Map<String, Object> loaded = browser.cdp("Runtime.evaluate",
          Map.of("expression", inspectorSource, "contextId", worldId, "returnByValue", true));
      if (loaded.containsKey("exceptionDetails")) {
        throw new BrowserCrashedException("the inspector failed to load: " + loaded.get("exceptionDetails"), null);
      }
      if (prewarm) {
        browser.cdp("Runtime.evaluate", Map.of("expression", "window.__kubegrade.warm()", "returnByValue", true));
      }
      return new HarnessPage(browser, watchdog, handle, url, worldId, heapProbe(browser, handle));
    } catch (NoSuchSessionException | UnreachableBrowserException e) {
      throw new BrowserCrashedException("browser lost while preparing a page: " + e.getMessage(), e);
    } catch (WebDriverException e) {
      throw new BrowserCrashedException("cannot prepare a harness page: " + firstLine(e), e);
    }
  }

  /**
   * A DevTools session of its own on the tab, attached while the page is idle, for reading its heap
   * when it stops responding; none if it cannot attach (the verdict then goes without the figure).
   */
  private static DevToolsSocket heapProbe(ChromeBrowser browser, String handle) {
    DevToolsSocket socket = null;
    try {
      socket = browser.devTools(handle);
      return socket.enableMetrics(HEAP_PROBE);
    } catch (RuntimeException e) {
      if (socket != null) {
        socket.close();
      }
      return null;
    }
  }

  /**
   * The page's heap once it has stopped growing, or -1 if the page does not say. Read when the page
   * has stopped responding: a loop's heap stays where it is (or churns), a memory bomb's keeps
   * climbing - on a loaded node it may not have reached the limit by the deadline - so it is read
   * again every {@value #HEAP_STEP_MS} ms for as long as it grows by {@value #HEAP_GROWTH_MIB} MiB or
   * more each time (or, after a first figure, does not answer: V8 collecting near its limit), for
   * at most {@value #HEAP_PATIENCE_MS} ms, or until the tab is gone. No first figure within
   * {@code HEAP_PROBE} ends it at once, so a frozen browser costs that much and no more.
   */
  private long heapWhileGrowing() {
    if (probe == null) {
      return -1;
    }
    long heap = -1;
    long until = System.nanoTime() + HEAP_PATIENCE_MS * 1_000_000L;
    while (probe.isOpen() && System.nanoTime() < until) {
      long next = probe.heapUsed(HEAP_PROBE);
      if (next < 0 && heap < 0) {
        return -1; // not even a first figure: a frozen browser, whose close is tried next
      }
      if (next >= 0) {
        if (heap >= 0 && next < heap + (HEAP_GROWTH_MIB << 20)) {
          return Math.max(heap, next); // stopped growing
        }
        heap = next;
      } // else no answer: V8 busy collecting, near its limit - ask again
      try {
        Thread.sleep(HEAP_STEP_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return heap; // still growing when patience ran out, or the tab went (crashed): what it reached
  }

  public String handle() {
    return handle;
  }

  public String url() {
    return url;
  }

  /** The page's origin, its own and no other page's: what its storage is keyed by. */
  public String origin() {
    return originOf(url);
  }

  private static String originOf(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  /**
   * Evaluates an expression in the page's main world (where the submission lives) through CDP, not
   * executeScript: chromedriver's executeScript waits on windows the script opens, and hangs.
   */
  Object main(Duration timeout, String expression) {
    Map<String, Object> response = guarded(timeout, () -> browser.cdp("Runtime.evaluate", Map.of(
        "expression", expression, "returnByValue", true, "awaitPromise", false)));
    return valueOf(response);
  }

  /** Evaluates an expression in the isolated world; the page cannot tamper with this. */
  @SuppressWarnings("unchecked")
  Map<String, Object> inspect(Duration timeout, String expression) {
    Map<String, Object> response = guarded(timeout, () -> browser.cdp("Runtime.evaluate", Map.of(
        "expression", expression, "contextId", worldId, "returnByValue", true, "awaitPromise", true)));
    Object value = valueOf(response);
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : new HashMap<>(Map.of("ok", false, "error", "no result"));
  }

  /** The value of a Runtime.evaluate response, or {@code {ok:false, error}} when it threw. */
  @SuppressWarnings("unchecked")
  private static Object valueOf(Map<String, Object> response) {
    Object details = response.get("exceptionDetails");
    if (details != null) {
      Map<String, Object> d = (Map<String, Object>) details;
      Object exception = d.get("exception");
      String text = exception instanceof Map<?, ?> m && m.get("description") != null
          ? String.valueOf(m.get("description")) : String.valueOf(d.get("text"));
      return Map.of("ok", false, "error", firstLine(text));
    }
    Object result = response.get("result");
    return result instanceof Map<?, ?> r ? ((Map<String, Object>) r).get("value") : null;
  }

  /** Sends the input to this tab, in order, as DevTools commands (see {@link PageInput}). */
  void perform(Duration timeout, PageInput input) {
    guarded(timeout, () -> {
      for (PageInput.Command command : input.commands()) {
        browser.cdp(command.method(), command.params());
      }
      return null;
    });
  }

  /** A PNG of the viewport, straight from the compositor (no driver helper runs in the page). */
  String screenshotBase64(Duration timeout) {
    return guarded(timeout, () -> String.valueOf(browser.cdp("Page.captureScreenshot", Map.of("format", "png")).get("data")));
  }

  List<org.openqa.selenium.logging.LogEntry> drainConsole(Duration timeout) {
    return guarded(timeout, () -> browser.driver().manage().logs().get("browser").getAll());
  }

  private <T> T guarded(Duration timeout, Supplier<T> call) {
    if (closed) {
      throw new PageFailure(VerdictStatus.RUNTIME_ERROR, "the page is gone");
    }
    AtomicBoolean browserAnswered = new AtomicBoolean();
    AtomicLong heap = new AtomicLong(-1);
    try (Watchdog.Guard guard = watchdog.arm(timeout, () -> {
      heap.set(heapWhileGrowing()); // before the tab goes: looping, or still allocating?
      browserAnswered.set(browser.closeTabIfAnswering(handle));
      if (!browserAnswered.get()) {
        browser.kill(); // frozen: nothing else releases the call chromedriver holds for it
      }
    })) {
      try {
        T result = call.get();
        if (guard.fired()) {
          // chromedriver may answer a call whose tab we closed with an empty result, not an error
          throw hung(timeout, guard, browserAnswered, heap.get());
        }
        return result;
      } catch (RuntimeException e) {
        if (guard.fired()) {
          throw hung(timeout, guard, browserAnswered, heap.get()); // whatever Selenium made of the tab vanishing under it
        }
        if (e instanceof WebDriverException w) {
          throw classify(w);
        }
        throw e;
      }
    }
  }

  /**
   * The call overran and the tab was closed under it. The browser process answers that close even
   * while the page's thread is stuck, so when it did not, the browser itself is the one not
   * answering (frozen, swapped out, dying): the grader's fault, retried on a fresh browser, not
   * the submission's TIME_LIMIT_EXCEEDED. The watchdog has killed that browser by then.
   */
  private RuntimeException hung(Duration timeout, Watchdog.Guard guard, AtomicBoolean browserAnswered, long heapBytes) {
    closed = true;
    guard.awaitAction(Duration.ofSeconds(5));
    if (!browserAnswered.get()) {
      return new BrowserCrashedException("the browser stopped answering: a call overran " + timeout.toMillis()
          + " ms and its DevTools endpoint did not close the tab", null);
    }
    log.info("tab {} stopped responding for {} ms; its JavaScript heap then: {}", handle, timeout.toMillis(),
        heapBytes < 0 ? "no answer" : (heapBytes >> 20) + " MiB");
    return new PageFailure(VerdictStatus.TIME_LIMIT_EXCEEDED,
        "the page stopped responding for " + timeout.toMillis() + " ms (an infinite loop?)", heapBytes);
  }

  private RuntimeException classify(WebDriverException e) {
    String message = String.valueOf(e.getMessage());
    if (e instanceof NoSuchSessionException || e instanceof UnreachableBrowserException
        || message.contains("chrome not reachable") || message.contains("session deleted")
        || message.contains("invalid session id")) {
      closed = true;
      return new BrowserCrashedException("the browser went away: " + firstLine(message), e);
    }
    if (message.contains("tab crashed") || message.contains("target crashed") || message.contains("Target crashed")) {
      closed = true;
      return new PageFailure(VerdictStatus.MEMORY_LIMIT_EXCEEDED,
          "the page crashed (most likely it ran out of memory)");
    }
    if (e instanceof NoSuchWindowException || message.contains("no such window")
        || message.contains("target window already closed") || message.contains("web view not found")) {
      closed = true;
      return new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission closed its own window");
    }
    if (message.contains("Cannot find context with specified id") || message.contains("context was destroyed")
        || message.contains("Execution context was destroyed")) {
      closed = true;
      return new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission navigated away from the page");
    }
    // chromedriver reports a tab that navigated mid-command as a bare "timeout": look where it is.
    String now = currentUrl();
    if (now != null && !now.equals(url)) {
      closed = true;
      return new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission navigated away from the page (to "
          + (now.length() > 80 ? now.substring(0, 80) + "…" : now) + ")");
    }
    return new BrowserCrashedException("unexpected WebDriver failure: " + firstLine(message), e);
  }

  private String currentUrl() {
    try (Watchdog.Guard guard = watchdog.arm(Duration.ofSeconds(3), () -> browser.closeTabDirectly(handle))) {
      return browser.driver().getCurrentUrl();
    } catch (WebDriverException e) {
      return null;
    }
  }

  /** Closes this tab without going through chromedriver (works even if the page is hung). */
  public void discard() {
    closed = true;
    if (probe != null) {
      probe.close();
    }
    browser.closeTabDirectly(handle);
  }

  static String firstLine(Object o) {
    String s = String.valueOf(o instanceof Throwable t ? t.getMessage() : o);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
