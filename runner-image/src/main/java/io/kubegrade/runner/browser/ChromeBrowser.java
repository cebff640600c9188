package io.kubegrade.runner.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One headless Chromium driven by chromedriver, with its own profile, HOME and temp directory, and
 * a network sealed off: every request goes through the harness server as its proxy, no host name
 * resolves, and WebRTC may not send UDP around the proxy.
 * {@link #close()} leaves no process behind.
 */
public final class ChromeBrowser implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChromeBrowser.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final HttpClient DEVTOOLS = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** How long a browser-level DevTools command may take: the browser process answers these, not a page. */
  private static final Duration BROWSER_COMMAND_LIMIT = Duration.ofSeconds(10);

  /** Longest TMPDIR kept under the work directory: Chromium adds ~45 bytes for its sockets. */
  static final int MAX_TMPDIR = 50;

  private final Path dir;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final String debuggerAddress;
  private DevToolsSocket browserSocket;

  static {
    // Never let Selenium Manager look for drivers online: we always give explicit paths.
    System.setProperty("SE_OFFLINE", "true");
    java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
  }

  private ChromeBrowser(Path dir, ChromeDriverService service, ChromeDriver driver) {
    this.dir = dir;
    this.service = service;
    this.driver = driver;
    @SuppressWarnings("unchecked")
    Map<String, Object> chromeCaps = (Map<String, Object>) driver.getCapabilities().getCapability("goog:chromeOptions");
    this.debuggerAddress = String.valueOf(chromeCaps.get("debuggerAddress"));
  }

  /**
   * Starts a browser whose only way out is {@code proxyPort}: the harness server, which serves the
   * harness pages and libraries and refuses everything else.
   */
  public static ChromeBrowser launch(BrowserSettings settings, int proxyPort) {
    requireBinary(settings.chromium());
    ProcessReaper.watchOver(settings.workRoot());
    Path dir = Path.of(ProcessReaper.ownPrefix(settings.workRoot()) + SEQUENCE.incrementAndGet());
    ChromeDriverService service = null;
    try {
      Path profile = Files.createDirectories(dir.resolve("profile"));
      Path home = Files.createDirectories(dir.resolve("home"));
      Path tmp = tempDir(dir);
      // WebRTC would otherwise send UDP straight to an IP-literal STUN server, around the proxy.
      Files.createDirectories(profile.resolve("Default"));
      Files.writeString(profile.resolve("Default/Preferences"),
          "{\"webrtc\":{\"ip_handling_policy\":\"disable_non_proxied_udp\",\"multiple_routes_enabled\":false,"
              + "\"nonproxied_udp_enabled\":false}}");

      Map<String, String> env = new HashMap<>();
      env.put(ProcessReaper.TAG, dir.toString());
      // No programs: a page can make Chromium hand a URL to the desktop (mailto:, any external
      // scheme: xdg-open, xdg-email, which run dozens more), and those are found through PATH. The
      // browser needs none - chromedriver starts it by its absolute path.
      env.put("PATH", Files.createDirectories(dir.resolve("no-programs")).toString());
      env.put("HOME", home.toString());
      env.put("TMPDIR", tmp.toString());
      env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
      env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
      env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
      env.put("XDG_RUNTIME_DIR", tmp.toString());

      service = new ChromeDriverService.Builder()
          .usingDriverExecutable(settings.chromedriver().toFile())
          .usingAnyFreePort()
          .withEnvironment(env)
          .withLogOutput(OutputStream.nullOutputStream())
          .withTimeout(settings.startTimeout())
          .build();
      service.start();
      ChromeDriver driver = new ChromeDriver(service, options(settings, profile, proxyPort));
      return new ChromeBrowser(dir, service, driver);
    } catch (IOException e) {
      cleanUp(dir, service);
      throw new UncheckedIOException("cannot prepare browser directory " + dir, e);
    } catch (RuntimeException e) {
      cleanUp(dir, service);
      throw new BrowserCrashedException("cannot start Chromium (" + settings.chromium() + ") with chromedriver ("
          + settings.chromedriver() + "): " + e.getMessage(), e);
    }
  }

  /**
   * The browser itself, not a launcher script: it runs without PATH, which a script (Debian's
   * /usr/bin/chromium) needs for its own tools.
   */
  static void requireBinary(Path chromium) {
    byte[] head = new byte[2];
    try (var in = Files.newInputStream(chromium)) {
      if (in.readNBytes(head, 0, 2) == 2 && head[0] == '#' && head[1] == '!') {
        throw new BrowserCrashedException(chromium + " is a launcher script, not the browser: point KUBEGRADE_CHROMIUM at"
            + " the Chromium binary (Debian: /usr/lib/chromium/chromium)", null);
      }
    } catch (IOException e) {
      throw new BrowserCrashedException("cannot read the browser " + chromium + ": " + e.getMessage(), e);
    }
  }

  static ChromeOptions options(BrowserSettings settings, Path profile, int proxyPort) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(settings.chromium().toFile());
    List<String> args = new ArrayList<>(List.of(
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-crash-reporter",
        "--disable-breakpad",
        // WebRtcHideLocalIpsWithMdns: WebRTC's mDNS responder joins 224.0.0.251 (IGMP) and sends
        // mDNS queries for remote ".local" candidates straight out of the interface, proxy or no
        // proxy (measured by PacketSealIT); without it no peer connection sends a packet.
        "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,InterestFeedContentSuggestions"
            + ",WebRtcHideLocalIpsWithMdns",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        "--enable-precise-memory-info",
        "--window-size=1280,800",
        "--user-data-dir=" + profile,
        // V8's heap cap, and the same cap for WebAssembly memories (64 KiB pages), which the heap
        // limit does not count.
        "--js-flags=--max-old-space-size=" + settings.jsHeapMb() + " --wasm-max-mem-pages=" + settings.jsHeapMb() * 16,
        // Network seal: every request, loopback included (<-loopback> removes Chromium's implicit
        // bypass), goes to the harness server acting as the proxy; nothing resolves, so what might
        // skip the proxy (link-local addresses, WebRTC) has nowhere to go.
        "--proxy-server=http://127.0.0.1:" + proxyPort,
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp"));
    if (isRoot() || "false".equals(System.getenv("KUBEGRADE_CHROMIUM_SANDBOX"))) {
      // Chromium's own sandbox refuses to run as root. As a normal user it stays on, unless the
      // container cannot create the user namespaces it needs (RuntimeDefault seccomp forbids
      // them): a runner pod then relies on the pod's own confinement (docs/runner.md).
      args.add("--no-sandbox");
    }
    options.addArguments(args);
    // chromedriver turns the popup blocker off; popups opened without a user gesture (say, while
    // the component mounts) then stall chromedriver, which pauses new tabs until its next command.
    options.setExperimentalOption("excludeSwitches", List.of("disable-popup-blocking"));
    // No downloads: a page could otherwise write files of any size into the profile.
    options.setExperimentalOption("prefs", Map.of("download_restrictions", 3,
        "profile.default_content_setting_values.automatic_downloads", 2));
    options.setPageLoadStrategy(PageLoadStrategy.NORMAL);
    options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.ACCEPT);
    // No browser log in chromedriver: each harness page collects its own console over its own
    // DevTools connection (HarnessPage), bounded; chromedriver would buffer every line of a flood.
    options.setPageLoadTimeout(Duration.ofSeconds(15));
    options.setScriptTimeout(Duration.ofSeconds(60));
    return options;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** The environment tag every process of this browser carries (see {@link ProcessReaper}). */
  public String tag() {
    return dir.toString();
  }

  /** A direct DevTools connection to one tab, independent of chromedriver's current window. */
  public DevToolsSocket devTools(String windowHandle) {
    return DevToolsSocket.connect(debuggerAddress, windowHandle);
  }

  /** A DevTools Protocol command on the driver's current tab. */
  public Map<String, Object> cdp(String command, Map<String, Object> params) {
    return driver.executeCdpCommand(command, params);
  }

  /** A DevTools Protocol command on the browser target (tabs, storage, cookies of the whole browser). */
  public JsonNode browserCommand(String method, Map<String, Object> params) {
    return browserSocket().send(method, params, BROWSER_COMMAND_LIMIT);
  }

  private synchronized DevToolsSocket browserSocket() {
    if (browserSocket == null || !browserSocket.isOpen()) {
      browserSocket = DevToolsSocket.connectBrowser(debuggerAddress);
    }
    return browserSocket;
  }

  /** Whether the browser still answers on its DevTools connection. */
  public boolean isAnswering() {
    return answersWithin(BROWSER_COMMAND_LIMIT);
  }

  /**
   * Whether the browser process answers on its DevTools connection within {@code limit}: it does
   * while one of its pages is stuck (pages run in renderer processes of their own).
   */
  public boolean answersWithin(Duration limit) {
    try {
      browserSocket().send("Browser.getVersion", Map.of(), limit);
      return true;
    } catch (DevToolsException e) {
      return false;
    }
  }

  /**
   * Opens a blank tab straight through DevTools, not chromedriver (whose new window and the
   * switch to it cost ~0.1 s): the tab's target id, which is also its window handle.
   */
  public String openTab() {
    return browserCommand("Target.createTarget", Map.of("url", "about:blank", "background", true)).path("targetId").asText();
  }

  /** The ids of every tab (page target) the browser has open. */
  public List<String> tabs() {
    List<String> tabs = new ArrayList<>();
    for (JsonNode target : browserCommand("Target.getTargets", Map.of()).path("targetInfos")) {
      if ("page".equals(target.path("type").asText())) {
        tabs.add(target.path("targetId").asText());
      }
    }
    return tabs;
  }

  /** Where a tab is now, as the browser says (a page cannot make it say otherwise); null if it is gone. */
  public String tabUrl(String targetId) {
    try {
      return browserCommand("Target.getTargetInfo", Map.of("targetId", targetId)).path("targetInfo").path("url").asText(null);
    } catch (DevToolsException e) {
      return null;
    }
  }


  /**
   * Closes a tab through the DevTools HTTP endpoint, bypassing chromedriver - which is the only way
   * out when a script loops forever and chromedriver sits waiting on that tab. The blocked command
   * then fails within a second and the browser lives on.
   */
  public boolean closeTabDirectly(String windowHandle) {
    Integer status = sendClose(windowHandle);
    return status != null && status == 200;
  }

  /**
   * {@link #closeTabDirectly}, telling instead whether the browser answered within 3 s (a tab
   * already gone is an answer too). The browser process answers that even while the page's thread
   * is stuck in a loop, so false means the browser itself is unfit to judge the page - frozen, or
   * too slow on a loaded node - and the submission is retried on a fresh one: a 10 s freeze must
   * not become the learner's TIME_LIMIT_EXCEEDED (measured by scripts/reliability.sh).
   */
  public boolean closeTabIfAnswering(String windowHandle) {
    return sendClose(windowHandle) != null;
  }

  private Integer sendClose(String windowHandle) {
    try {
      HttpResponse<Void> response = DEVTOOLS.send(
          HttpRequest.newBuilder(URI.create("http://" + debuggerAddress + "/json/close/" + windowHandle))
              .timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode();
    } catch (IOException e) {
      log.debug("closing tab {} through DevTools failed: {}", windowHandle, e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * SIGKILLs every process of this browser, chromedriver included: for a browser that no longer
   * answers even its DevTools endpoint, so that a call chromedriver holds for it fails now rather
   * than at Selenium's 180 s read timeout. The browser is unusable afterwards.
   */
  public void kill() {
    int killed = ProcessReaper.kill(dir.toString());
    log.warn("killed the {} processes of a browser that stopped answering ({})", killed, dir.getFileName());
  }

  /** Quits the browser (bounded: a hung browser cannot hold us), then kills whatever is left. */
  @Override
  public void close() {
    synchronized (this) {
      if (browserSocket != null) {
        browserSocket.close();
      }
    }
    CompletableFuture<Void> quit = CompletableFuture.runAsync(driver::quit);
    try {
      quit.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("driver.quit() did not finish cleanly: {}", e.toString());
    }
    cleanUp(dir, service);
  }

  /**
   * Chromium's TMPDIR. Its sockets live there and a Unix socket path has at most 107 bytes, so
   * under a long work directory TMPDIR is a short directory in the system's temp, linked from
   * {@code <dir>/tmp} and deleted with it.
   */
  private static Path tempDir(Path dir) throws IOException {
    Path tmp = dir.resolve("tmp");
    if (tmp.toString().length() <= MAX_TMPDIR) {
      return Files.createDirectories(tmp);
    }
    Path shortDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kg");
    Files.createSymbolicLink(tmp, shortDir);
    return shortDir;
  }

  private static void cleanUp(Path dir, ChromeDriverService service) {
    if (service != null) {
      try {
        service.stop();
      } catch (RuntimeException e) {
        log.debug("stopping chromedriver: {}", e.toString());
      }
    }
    // Chromium exits after quit() returns: ask what still carries our tag to stop, then kill it,
    // and wait (bounded) until each has really stopped - not merely lost its /proc entries.
    List<ProcessHandle> left = ProcessReaper.tagged(dir.toString(), false);
    left.forEach(ProcessHandle::destroy);
    waitForExit(left, 2);
    left.forEach(ProcessHandle::destroyForcibly);
    int late = ProcessReaper.kill(dir.toString());
    waitForExit(left, 3);
    if (late > 0) {
      log.debug("killed {} browser processes that outlived quit()", late);
    }
    Path tmp = dir.resolve("tmp");
    if (Files.isSymbolicLink(tmp)) {
      try {
        deleteTree(Files.readSymbolicLink(tmp));
      } catch (IOException e) {
        log.debug("cannot read {}: {}", tmp, e.toString());
      }
    }
    deleteTree(dir);
  }

  private static void waitForExit(List<ProcessHandle> processes, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (processes.stream().anyMatch(p -> ProcessReaper.isRunning(p.pid())) && System.nanoTime() < deadline) {
      sleepQuietly(20);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException | UncheckedIOException e) {
      log.debug("cannot delete {}: {}", dir, e.toString());
    }
  }
}
