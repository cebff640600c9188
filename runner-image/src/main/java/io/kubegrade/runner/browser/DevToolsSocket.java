package io.kubegrade.runner.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubegrade.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A direct DevTools Protocol connection to one tab, beside chromedriver's. Commands on it need no
 * tab switch in chromedriver (which costs tens of milliseconds each way).
 */
public final class DevToolsSocket implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final StringBuilder partial = new StringBuilder();

  private DevToolsSocket(String url) {
    this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
        .buildAsync(URI.create(url), new Listener()).join();
  }

  static DevToolsSocket connect(String debuggerAddress, String targetId) {
    return new DevToolsSocket("ws://" + debuggerAddress + "/devtools/page/" + targetId);
  }

  /** Sends a command and waits for its result; a protocol error or a timeout throws. */
  public JsonNode send(String method, Map<String, Object> params, Duration timeout) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    ObjectNode message = Json.mapper().createObjectNode().put("id", id).put("method", method);
    message.set("params", Json.mapper().valueToTree(params));
    try {
      socket.sendText(message.toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.has("error")) {
        throw new IOException(response.get("error").toString());
      }
      return response.get("result");
    } catch (Exception e) {
      throw new BrowserCrashedException("DevTools " + method + " failed: " + e, e);
    } finally {
      waiting.remove(id);
    }
  }

  /**
   * The JavaScript heap the tab uses, in bytes, or -1 when it does not say within {@code limit}.
   * Performance.getMetrics is one of the few commands Chromium runs by interrupting the page's
   * script, so it is answered even while the page is stuck in a loop, on a session attached (and
   * with metrics enabled: {@link #enableMetrics}) before it got stuck.
   */
  public long heapUsed(Duration limit) {
    try {
      for (JsonNode metric : send("Performance.getMetrics", Map.of(), limit).path("metrics")) {
        if ("JSHeapUsedSize".equals(metric.path("name").asText())) {
          return metric.path("value").asLong(-1);
        }
      }
      return -1;
    } catch (BrowserCrashedException e) {
      return -1;
    }
  }

  /** Whether the tab is still there to answer (its connection not closed by the browser). */
  public boolean isOpen() {
    return !socket.isInputClosed() && !socket.isOutputClosed();
  }

  /** Turns on the tab's performance metrics, for {@link #heapUsed}. */
  public DevToolsSocket enableMetrics(Duration limit) {
    send("Performance.enable", Map.of(), limit);
    return this;
  }

  @Override
  public void close() {
    socket.abort();
    waiting.values().forEach(f -> f.completeExceptionally(new IOException("closed")));
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode node = Json.mapper().readTree(text);
          if (node.has("id")) {
            CompletableFuture<JsonNode> f = waiting.get(node.get("id").asInt());
            if (f != null) {
              f.complete(node);
            }
          }
        } catch (IOException e) {
          // not ours to understand (events are ignored)
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      waiting.values().forEach(f -> f.completeExceptionally(error));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      waiting.values().forEach(f -> f.completeExceptionally(new IOException("DevTools closed: " + reason)));
      return null;
    }
  }
}
