package io.kubegrade.runner.grading;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.browser.ChromeBrowser;
import io.kubegrade.runner.browser.DevToolsException;
import io.kubegrade.runner.browser.DevToolsSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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
  private static final Duration BROWSER_ANSWER = Duration.ofMillis(500);
  private static final long HEAP_STEP_MS = 250;
  private static final long HEAP_GROWTH_MIB = 8;
  private static final long HEAP_PATIENCE_MS = 6000;
  static final String WORLD = "kubegrade-inspector";
  /** How long preparing a page (its tab, its load, the inspector) may take. */
  private static final Duration PREPARE_LIMIT = Duration.ofSeconds(15);
  /** How long past a call's deadline its answer is waited for: the watchdog closes the tab at the deadline. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(10);
  /** How often a loading page is asked whether it has loaded, should its load event not come. */
  private static final Duration LOAD_CHECK = Duration.ofMillis(250);
  /**
   * What one submission may store (IndexedDB, Cache Storage, file systems) at its origin. The
   * browser's own default is a share of the disk: 400 MB of IndexedDB was accepted, and stayed.
   */
  public static final long STORAGE_QUOTA_BYTES = 16L << 20;

  /** Connects heap probes while their page loads (connecting may block; not the common pool's work). */
  private static final ExecutorService CONNECTOR = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kubegrade-devtools-connect");
    t.setDaemon(true);
    return t;
  });

  private final ChromeBrowser browser;
  private final Watchdog watchdog;
  private final String handle;
  private final String url;
  private final Object worldId;
  private final DevToolsSocket page;
  private final PageEvents events;
  private final DevToolsSocket probe;
  private boolean closed;

  private HarnessPage(ChromeBrowser browser, Watchdog watchdog, String handle, String url, Object worldId,
      DevToolsSocket page, PageEvents events, DevToolsSocket probe) {
    this.browser = browser;
    this.watchdog = watchdog;
    this.handle = handle;
    this.url = url;
    this.worldId = worldId;
    this.page = page;
    this.events = events;
    this.probe = probe;
  }

  /**
   * What the tab reports on its own connection: its console, its load, and any navigation of its
   * main frame once the harness has loaded (the submission leaving the page).
   */
  private static final class PageEvents {
    /** One entry per load event: whether the commit of our document was reported before it. */
    final BlockingQueue<Boolean> loads = new LinkedBlockingQueue<>();
    final PageConsole console;
    volatile boolean ready;
    volatile String navigatedTo;
    private volatile boolean committed;

    PageEvents(DevToolsSocket page, String url) {
      this.console = new PageConsole(() -> {
        // Enough kept: stop the reports rather than receive (and parse) every line of a flood.
        page.sendAsync("Runtime.disable", Map.of());
        page.sendAsync("Log.disable", Map.of());
      });
      page.onEvent((method, params) -> {
        switch (method) {
          case "Runtime.consoleAPICalled" -> console.consoleCalled(params);
          case "Log.entryAdded" -> console.logged(params.path("entry"));
          // The load of the harness document, not of the tab's first about:blank.
          case "Page.loadEventFired" -> loads.offer(committed);
          case "Page.frameNavigated" -> {
            if (!params.path("frame").has("parentId")) {
              String to = params.path("frame").path("url").asText("?");
              if (ready) {
                navigatedTo = to;
              } else if (to.equals(url)) {
                committed = true;
              }
            }
          }
          // The harness page's sandbox allows no dialog; should one open anyway, it must not stall the page.
          case "Page.javascriptDialogOpening" -> page.sendAsync("Page.handleJavaScriptDialog", Map.of("accept", true));
          default -> { }
        }
      });
    }
  }

  /**
   * Opens a tab at {@code url} - straight through DevTools, on a connection of its own that carries
   * every later command to it - waits for the libraries, loads the inspector beside the page and,
   * with {@code prewarm}, exercises Babel and React there before any submission code exists.
   */
  public static HarnessPage open(ChromeBrowser browser, Watchdog watchdog, String url, String inspectorSource,
      boolean prewarm) {
    String handle = null;
    DevToolsSocket page = null;
    try {
      handle = browser.openTab();
      page = browser.devTools(handle);
      PageEvents events = new PageEvents(page, url);
      String tab = handle;
      CompletableFuture<DevToolsSocket> probe = CompletableFuture.supplyAsync(() -> heapProbe(browser, tab), CONNECTOR);
      // Sent together, answered in order: one wait instead of one per command.
      List<CompletableFuture<JsonNode>> setup = List.of(
          page.sendAsync("Page.enable", Map.of()),
          page.sendAsync("Runtime.enable", Map.of()),
          page.sendAsync("Log.enable", Map.of()),
          page.sendAsync("Storage.overrideQuotaForOrigin", Map.of("origin", originOf(url), "quotaSize", STORAGE_QUOTA_BYTES)));
      JsonNode navigated = page.send("Page.navigate", Map.of("url", url), PREPARE_LIMIT);
      for (CompletableFuture<JsonNode> step : setup) {
        step.get(PREPARE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (navigated.hasNonNull("errorText")) {
        throw new BrowserCrashedException("cannot load the harness page " + url + ": " + navigated.get("errorText").asText(), null);
      }
      awaitLoad(page, events, url);
      events.ready = true;
      String frameId = page.send("Page.getFrameTree", Map.of(), PREPARE_LIMIT).path("frameTree").path("frame").path("id").asText();
      Object worldId = page.send("Page.createIsolatedWorld",
          Map.of("frameId", frameId, "worldName", WORLD, "grantUniveralAccess", false), PREPARE_LIMIT).path("executionContextId").asInt();
      JsonNode loaded = page.send("Runtime.evaluate",
          Map.of("expression", inspectorSource, "contextId", worldId, "returnByValue", true), PREPARE_LIMIT);
      if (loaded.has("exceptionDetails")) {
        throw new BrowserCrashedException("the inspector failed to load: " + loaded.get("exceptionDetails"), null);
      }
      HarnessPage ready = new HarnessPage(browser, watchdog, handle, url, worldId, page, events,
          probe.get(PREPARE_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
      if (prewarm) {
        ready.warmUp();
      }
      return ready;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon(browser, handle, page);
      throw new BrowserCrashedException("interrupted while preparing a page", e);
    } catch (ExecutionException e) {
      abandon(browser, handle, page);
      throw e.getCause() instanceof BrowserCrashedException b ? b
          : new BrowserCrashedException("cannot prepare a harness page: " + firstLine(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      abandon(browser, handle, page);
      throw new BrowserCrashedException("the harness page " + url + " did not load within " + PREPARE_LIMIT.toSeconds() + " s", e);
    } catch (RuntimeException e) {
      abandon(browser, handle, page);
      throw e instanceof BrowserCrashedException b ? b : new BrowserCrashedException("cannot prepare a harness page: " + firstLine(e), e);
    }
  }

  /**
   * Makes this the browser's front tab, as a learner's tab would be: a tab behind another gets no
   * animation frames and throttled timers. A page is prepared behind the one being graded, so it
   * comes to the front when its submission arrives.
   */
  public void bringToFront() {
    page.send("Page.bringToFront", Map.of(), PREPARE_LIMIT);
  }

  /**
   * Waits until the harness document at {@code url} has loaded: a load event after its commit was
   * reported; else the document saying so itself - asked at once on a load event whose commit went
   * unreported (the tab's first navigation swaps renderer processes, and its frameNavigated is lost
   * more often than not: waiting for the next check cost ~200 ms per page), or every
   * {@code LOAD_CHECK} should no load event come (about 1 in 100 here). No submission code is in
   * the page yet.
   */
  private static void awaitLoad(DevToolsSocket page, PageEvents events, String url)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + PREPARE_LIMIT.toNanos();
    String loaded = "location.href === " + SubmissionGrader.jsString(url) + " && document.readyState === 'complete'";
    while (true) {
      if (Boolean.TRUE.equals(events.loads.poll(LOAD_CHECK.toMillis(), TimeUnit.MILLISECONDS))) {
        return;
      }
      if (page.send("Runtime.evaluate", Map.of("expression", loaded, "returnByValue", true), PREPARE_LIMIT)
          .path("result").path("value").asBoolean(false)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no load within " + PREPARE_LIMIT.toMillis() + " ms");
      }
    }
  }

  /** Exercises Babel's output and React on this page before any submission code exists. */
  public void warmUp() {
    page.send("Runtime.evaluate", Map.of("expression", "window.__kubegrade.warm()", "returnByValue", true), PREPARE_LIMIT);
  }

  private static void abandon(ChromeBrowser browser, String handle, DevToolsSocket page) {
    if (page != null) {
      page.close();
    }
    if (handle != null) {
      browser.closeTabDirectly(handle);
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
   * at most {@value #HEAP_PATIENCE_MS} ms, or until the tab is gone. A page whose V8 is busy
   * collecting may give no first figure within {@code HEAP_PROBE} (more so while the next page loads
   * beside it); it is asked again as long as the browser itself answers within {@code BROWSER_ANSWER},
   * so a frozen browser costs the two and no more.
   */
  private long heapWhileGrowing() {
    if (probe == null) {
      return -1;
    }
    long heap = -1;
    long until = System.nanoTime() + HEAP_PATIENCE_MS * 1_000_000L;
    while (probe.isOpen() && System.nanoTime() < until) {
      long next = probe.heapUsed(HEAP_PROBE);
      if (next < 0 && heap < 0 && !browser.answersWithin(BROWSER_ANSWER)) {
        return -1; // not even a first figure, nor the browser an answer: frozen, whose close is tried next
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
   * Evaluates an expression in the page's main world (where the submission lives), on the tab's
   * own DevTools connection.
   */
  Object main(Duration timeout, String expression) {
    JsonNode response = guarded(timeout, () -> command(timeout, "Runtime.evaluate", Map.of(
        "expression", expression, "returnByValue", true, "awaitPromise", false)));
    return valueOf(response);
  }

  /** Evaluates an expression in the isolated world; the page cannot tamper with this. */
  @SuppressWarnings("unchecked")
  Map<String, Object> inspect(Duration timeout, String expression) {
    JsonNode response = guarded(timeout, () -> command(timeout, "Runtime.evaluate", Map.of(
        "expression", expression, "contextId", worldId, "returnByValue", true, "awaitPromise", true)));
    Object value = valueOf(response);
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : new HashMap<>(Map.of("ok", false, "error", "no result"));
  }

  /** A command on this tab, waited for a little past the watchdog's own deadline (which closes the tab). */
  private JsonNode command(Duration timeout, String method, Map<String, Object> params) {
    return page.send(method, params, timeout.plus(ANSWER_MARGIN));
  }

  /** The value of a Runtime.evaluate response, or {@code {ok:false, error}} when it threw. */
  @SuppressWarnings("unchecked")
  private static Object valueOf(JsonNode response) {
    JsonNode details = response.get("exceptionDetails");
    if (details != null) {
      JsonNode exception = details.path("exception");
      String text = exception.hasNonNull("description") ? exception.get("description").asText() : details.path("text").asText();
      return Map.of("ok", false, "error", firstLine(text));
    }
    JsonNode value = response.path("result").get("value");
    return value == null || value.isNull() ? null : Json.mapper().convertValue(value, Object.class);
  }

  /** Sends the input to this tab, in order, as DevTools commands (see {@link PageInput}). */
  void perform(Duration timeout, PageInput input) {
    guarded(timeout, () -> {
      for (PageInput.Command c : input.commands()) {
        command(timeout, c.method(), c.params());
      }
      return null;
    });
  }

  /** A PNG of the viewport, straight from the compositor (no driver helper runs in the page). */
  String screenshotBase64(Duration timeout) {
    return guarded(timeout, () -> command(timeout, "Page.captureScreenshot", Map.of("format", "png")).path("data").asText());
  }

  /**
   * What the page logged until now: a round trip on the tab's connection first, so every line it
   * sent before is in; a page already gone gives what it logged before it went.
   */
  PageConsole.Lines console(Duration timeout) {
    if (!closed) {
      try {
        guarded(timeout, () -> command(timeout, "Runtime.evaluate", Map.of("expression", "0", "contextId", worldId)));
      } catch (PageFailure | BrowserCrashedException e) {
        // the page went: what it logged before is still here
      }
    }
    return events.console.lines();
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
        browser.kill(); // frozen: its connections end with it, and the call waiting on one fails
      }
    })) {
      try {
        if (events.navigatedTo != null) {
          throw navigatedAway(events.navigatedTo);
        }
        T result = call.get();
        if (guard.fired()) {
          // a call may still be answered (emptily) after the tab was closed under it
          throw hung(timeout, guard, browserAnswered, heap.get());
        }
        return result;
      } catch (RuntimeException e) {
        if (guard.fired()) {
          throw hung(timeout, guard, browserAnswered, heap.get()); // whatever Selenium made of the tab vanishing under it
        }
        if (e instanceof DevToolsException d) {
          throw classify(d);
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

  private RuntimeException classify(DevToolsException e) {
    String message = String.valueOf(e.getMessage());
    if (e.kind() == DevToolsException.Kind.CRASHED) {
      closed = true;
      return new PageFailure(VerdictStatus.MEMORY_LIMIT_EXCEEDED, "the page crashed (most likely it ran out of memory)");
    }
    String now = events.navigatedTo;
    if (now == null && (message.contains("Cannot find context with specified id") || message.contains("context was destroyed")
        || message.contains("Inspected target navigated or closed"))) {
      now = browser.tabUrl(handle); // the world went with its document: where is the tab now?
    }
    if (now != null && !now.equals(url)) {
      return navigatedAway(now);
    }
    if (e.kind() == DevToolsException.Kind.CLOSED) {
      closed = true;
      if (browser.isAnswering()) {
        return new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission closed its own window");
      }
      return new BrowserCrashedException("the browser went away: " + firstLine(message), e);
    }
    return new BrowserCrashedException("unexpected DevTools failure: " + firstLine(message), e);
  }

  private PageFailure navigatedAway(String to) {
    closed = true;
    return new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission navigated away from the page (to "
        + (to.length() > 80 ? to.substring(0, 80) + "…" : to) + ")");
  }

  /** Closes this tab without going through chromedriver (works even if the page is hung). */
  public void discard() {
    closed = true;
    page.close();
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
