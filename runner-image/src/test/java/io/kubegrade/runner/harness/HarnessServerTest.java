package io.kubegrade.runner.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The harness server as Chromium sees it: its proxy, for every URL. */
class HarnessServerTest {
  private HarnessServer server;
  private HttpClient browser;

  @BeforeEach
  void start() {
    server = HarnessServer.start();
    browser = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", server.port()))).build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return browser.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPageIsServedOnceAtItsOwnOriginWithTheCsp() throws Exception {
    String url = server.newPageUrl();

    HttpResponse<String> first = get(url);
    HttpResponse<String> again = get(url);

    assertThat(url).matches("http://s-[0-9a-f]{32}\\.grader\\.test/");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("http://lib.grader.test/lib/harness.js");
    assertThat(first.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("connect-src 'none'").contains("form-action 'none'").contains("default-src 'none'"));
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(again.statusCode()).isEqualTo(404);
  }

  @Test
  void librariesComeOnlyFromTheLibraryOrigin() throws Exception {
    HttpResponse<String> babel = get("http://lib.grader.test/lib/babel.js");
    HttpResponse<String> elsewhere = get("http://s-0123.grader.test/lib/babel.js");

    assertThat(babel.statusCode()).isEqualTo(200);
    assertThat(babel.body().length()).isGreaterThan(1_000_000);
    assertThat(babel.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
    assertThat(babel.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(elsewhere.statusCode()).isEqualTo(404);
  }

  @Test
  void everythingElseIsRefused() throws Exception {
    String page = server.newPageUrl();
    assertThat(get("http://example.com/").statusCode()).isEqualTo(403);
    assertThat(get("http://127.0.0.1:" + server.port() + "/").statusCode()).isEqualTo(403);
    assertThat(get("http://evil.grader.test:9515/session").statusCode()).isEqualTo(403);
    assertThat(get(page.replace("/s-", "/x-").replace("http://", "http://")).statusCode()).isIn(403, 404);
    assertThat(browser.send(HttpRequest.newBuilder(URI.create(page)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    assertThat(get(page).statusCode()).as("a refused request does not use up the page").isEqualTo(200);
  }

  @Test
  void theCompilerPageIsServedAtItsFixedOrigin() throws Exception {
    HttpResponse<String> first = get(HarnessServer.COMPILER_URL);
    HttpResponse<String> again = get(HarnessServer.COMPILER_URL);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("/lib/babel.js").contains("/lib/compiler.js");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(get(server.newPageUrl()).body()).doesNotContain("babel");
  }

  @Test
  void aReleasedPageIsNoLongerServed() throws Exception {
    String url = server.newPageUrl();
    server.release(url);
    assertThat(get(url).statusCode()).isEqualTo(404);
  }
}
