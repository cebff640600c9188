package io.kubegrade.runner.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the harness page and the libraries it loads (React, ReactDOM and Babel from WebJars, never
 * a CDN) on loopback, and is every browser's HTTP proxy: whatever URL a page asks for, on any host
 * or port, the request arrives here, and only the harness's own resources are ever answered.
 * Each page is served once, at a fresh unguessable origin {@code http://s-<token>.grader.test/}, so
 * submissions never share storage, and a page is never on a loopback name (chromedriver refuses
 * requests from non-local origins).
 */
public final class HarnessServer implements AutoCloseable {
  public static final String DOMAIN = "grader.test";
  /**
   * Libraries come from one fixed origin, so their URLs repeat and Chromium's HTTP and V8 code
   * caches serve Babel's 2.8 MB already compiled instead of parsing it for every page.
   */
  public static final String LIBRARY_ORIGIN = "http://lib." + DOMAIN;
  /** The page each browser's home tab shows: Babel, loaded once per browser, no submission code. */
  public static final String COMPILER_URL = "http://compiler." + DOMAIN + "/";

  /**
   * No network for the page at all (connect-src/form-action 'none': a submission cannot POST to
   * chromedriver or anything else); scripts only from this origin, eval allowed for the compiler.
   * The page is a sandbox with scripts, its own origin (storage) and form events, and nothing else:
   * no popups or new tabs (window.open returns null, target=_blank does nothing - a window the
   * page opened would stall the driver), no native dialogs or print() (the harness logs them
   * instead; an iframe's pristine alert() is refused too), no downloads, no external protocol
   * handlers, no top-level navigation from frames. Frames the page creates inherit all of it.
   */
  public static final String CSP = "default-src 'none'; script-src " + LIBRARY_ORIGIN + " 'unsafe-eval'; "
      + "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
      + "media-src 'self' data: blob:; connect-src 'none'; form-action 'none'; frame-src 'none'; "
      + "child-src 'none'; worker-src 'none'; manifest-src 'none'; object-src 'none'; base-uri 'none'; "
      + "sandbox allow-scripts allow-same-origin allow-forms";

  private static final String PAGE = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>kubegrade</title><link rel="icon" href="data:,">
      <script crossorigin="anonymous" src="%1$s/lib/react.js"></script>
      <script crossorigin="anonymous" src="%1$s/lib/react-dom.js"></script>
      <script crossorigin="anonymous" src="%1$s/lib/harness.js"></script>
      </head><body><div id="root"></div></body></html>
      """.formatted(LIBRARY_ORIGIN);

  private static final String COMPILER_PAGE = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>kubegrade compiler</title><link rel="icon" href="data:,">
      <script crossorigin="anonymous" src="%1$s/lib/babel.js"></script>
      <script crossorigin="anonymous" src="%1$s/lib/compiler.js"></script>
      </head><body></body></html>
      """.formatted(LIBRARY_ORIGIN);

  private static final Map<String, String> LIBRARIES = Map.of(
      "react.js", "/META-INF/resources/webjars/react/18.3.1/umd/react.production.min.js",
      "react-dom.js", "/META-INF/resources/webjars/react-dom/18.3.1/umd/react-dom.production.min.js",
      "babel.js", "/META-INF/resources/webjars/babel__standalone/7.21.2/babel.min.js",
      "harness.js", "/io/kubegrade/runner/harness/harness.js",
      "compiler.js", "/io/kubegrade/runner/harness/compiler.js");

  private final SecureRandom random = new SecureRandom();
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Map<String, byte[]> libraries;
  private final HttpServer server;
  private final ExecutorService executor;

  private HarnessServer(Map<String, byte[]> libraries) throws IOException {
    this.libraries = libraries;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "harness-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public static HarnessServer start() {
    Map<String, byte[]> libs = new ConcurrentHashMap<>();
    LIBRARIES.forEach((name, resource) -> libs.put(name, resource(resource)));
    try {
      return new HarnessServer(libs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the harness server", e);
    }
  }

  /** The source of a classpath resource, e.g. the inspector script. */
  public static String resourceText(String name) {
    return new String(resource(name), StandardCharsets.UTF_8);
  }

  private static byte[] resource(String name) {
    try (InputStream in = HarnessServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " (is the WebJar on the classpath?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Reserves a fresh origin whose page may be loaded exactly once; returns its URL. */
  public String newPageUrl() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    pending.add(token);
    return "http://s-" + token + "." + DOMAIN + "/";
  }

  /** Forgets a reserved page that was never loaded. */
  public void release(String url) {
    String host = url.replaceFirst("^http://", "").replaceFirst("[:/].*$", "");
    pending.remove(tokenOf(host));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      // As a proxy we get absolute URIs (GET http://host:port/path); only port 80 of our domain counts.
      var uri = exchange.getRequestURI();
      String authority = uri.getHost() != null ? uri.getAuthority() : exchange.getRequestHeaders().getFirst("Host");
      String host = String.valueOf(authority);
      String path = String.valueOf(uri.getPath());
      if (!"GET".equals(exchange.getRequestMethod()) || !host.endsWith("." + DOMAIN)) {
        send(exchange, 403, "text/plain", "kubegrade: no network".getBytes(StandardCharsets.UTF_8), false);
      } else if (host.equals(LIBRARY_ORIGIN.substring(7)) && path.startsWith("/lib/") && libraries.containsKey(path.substring(5))) {
        send(exchange, 200, "text/javascript; charset=utf-8", libraries.get(path.substring(5)), true);
      } else if (path.equals("/") && (COMPILER_URL.equals("http://" + host + "/"))) {
        send(exchange, 200, "text/html; charset=utf-8", COMPILER_PAGE.getBytes(StandardCharsets.UTF_8), false);
      } else if (path.equals("/") && pending.remove(tokenOf(host))) {
        send(exchange, 200, "text/html; charset=utf-8", PAGE.getBytes(StandardCharsets.UTF_8), false);
      } else {
        send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8), false);
      }
    }
  }

  private static String tokenOf(String host) {
    return host.startsWith("s-") ? host.substring(2, host.length() - DOMAIN.length() - 1) : "";
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean cacheable)
      throws IOException {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", type);
    headers.set("Content-Security-Policy", CSP);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cache-Control", cacheable ? "public, max-age=31536000, immutable" : "no-store");
    if (cacheable) {
      // Loaded with crossorigin=anonymous: without CORS, errors thrown through these scripts
      // (the submission runs via the harness) would reach the page as a bare "Script error.".
      headers.set("Access-Control-Allow-Origin", "*");
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
