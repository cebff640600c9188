package io.kubegrade.runner.grading;

import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.browser.ChromeBrowser;
import io.kubegrade.runner.browser.DevToolsSocket;
import io.kubegrade.runner.harness.HarnessServer;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.WebDriverException;

/**
 * A browser's first tab, kept for the browser's whole life: it anchors the WebDriver session (a
 * submission closing its own tab never ends it) and compiles submissions with a Babel that is
 * loaded and JIT-warm once per browser. No submission code ever runs here: the source is data,
 * parsed by Babel and handed back as text.
 */
public final class HomeTab implements AutoCloseable {
  private static final Duration COMPILE_LIMIT = Duration.ofSeconds(10);

  private final String handle;
  private final DevToolsSocket devTools;

  private HomeTab(String handle, DevToolsSocket devTools) {
    this.handle = handle;
    this.devTools = devTools;
  }

  public static HomeTab open(ChromeBrowser browser) {
    try {
      var driver = browser.driver();
      String handle = driver.getWindowHandle();
      driver.get(HarnessServer.COMPILER_URL);
      browser.cdp("Runtime.evaluate", Map.of("expression", "window.__kubegradeCompiler.warm()", "returnByValue", true));
      // Its own DevTools connection: compiling needs no tab switch in chromedriver.
      return new HomeTab(handle, browser.devTools(handle));
    } catch (WebDriverException e) {
      throw new BrowserCrashedException("cannot open the compiler tab: " + HarnessPage.firstLine(e), e);
    }
  }

  public String handle() {
    return handle;
  }

  /** Compiles {@code source}: {@code {status: ok, code}} or {@code {status: compile, message, line, column}}. */
  @SuppressWarnings("unchecked")
  Map<String, Object> compile(String source) {
    var result = devTools.send("Runtime.evaluate", Map.of(
        "expression", "window.__kubegradeCompiler.compile(" + SubmissionGrader.jsString(source) + ")",
        "returnByValue", true), COMPILE_LIMIT);
    var value = result.path("result").path("value");
    if (!value.isObject()) {
      throw new BrowserCrashedException("the compiler tab answered " + result, null);
    }
    return io.kubegrade.api.Json.mapper().convertValue(value, Map.class);
  }

  /**
   * Deletes everything {@code origin} stored (every storage type) and every cookie of the browser:
   * what a submission left is gone with it, not kept on disk until the browser goes. Sent from
   * this tab, which shares the profile's storage with every harness page.
   */
  public void forget(String origin) {
    devTools.send("Storage.clearDataForOrigin", Map.of("origin", origin, "storageTypes", "all"), COMPILE_LIMIT);
    devTools.send("Network.clearBrowserCookies", Map.of(), COMPILE_LIMIT);
  }

  @Override
  public void close() {
    devTools.close();
  }
}
