package io.kubegrade.runner.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubegrade.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A direct DevTools Protocol connection to one target (a tab, or the browser itself), beside
 * chromedriver's. A command on it is one WebSocket message each way: no HTTP round trip through
 * chromedriver and no tab switch there (which cost 4-17 ms per command, tens of ms per switch).
 * Events go to one handler, called on the socket's thread in the order the browser sent them;
 * a command's answer arrives after every event the browser sent before it.
 */
public final class DevToolsSocket implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile BiConsumer<String, JsonNode> events = (method, params) -> {};
  private volatile DevToolsException ended;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  private DevToolsSocket(String url) {
    try {
      this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
          .buildAsync(URI.create(url), new Listener()).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevToolsException(DevToolsException.Kind.CLOSED, "interrupted while connecting to " + url, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new DevToolsException(DevToolsException.Kind.CLOSED, "cannot connect to DevTools at " + url + ": " + e, e);
    }
  }

  static DevToolsSocket connect(String debuggerAddress, String targetId) {
    return new DevToolsSocket("ws://" + debuggerAddress + "/devtools/page/" + targetId);
  }

  /** The browser target itself: tabs, storage and cookies of the whole browser. */
  static DevToolsSocket connectBrowser(String debuggerAddress) {
    try {
      HttpResponse<String> version = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + debuggerAddress + "/json/version"))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
      String url = Json.mapper().readTree(version.body()).path("webSocketDebuggerUrl").asText("");
      if (url.isEmpty()) {
        throw new DevToolsException(DevToolsException.Kind.CLOSED, "the browser named no DevTools endpoint: " + version.body(), null);
      }
      return new DevToolsSocket(url);
    } catch (IOException e) {
      throw new DevToolsException(DevToolsException.Kind.CLOSED, "cannot reach the browser's DevTools: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevToolsException(DevToolsException.Kind.CLOSED, "interrupted while reaching DevTools", e);
    }
  }

  /**
   * Where this connection's events go (method, params). The handler runs on the socket's own
   * thread: it must not wait for a command's answer (use {@link #sendAsync}).
   */
  public DevToolsSocket onEvent(BiConsumer<String, JsonNode> handler) {
    this.events = handler;
    return this;
  }

  /** Sends a command and waits for its result; a protocol error, the end of the target or a timeout throws. */
  public JsonNode send(String method, Map<String, Object> params, Duration timeout) {
    Sent sent = sendRaw(method, params);
    try {
      return resultOf(method, sent.answer().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      waiting.remove(sent.id()); // an answer that comes later has no one to go to
      throw new DevToolsException(DevToolsException.Kind.TIMEOUT, method + " got no answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      waiting.remove(sent.id());
      throw new DevToolsException(DevToolsException.Kind.CLOSED, method + " interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DevToolsException d) {
        throw d.during(method);
      }
      throw new DevToolsException(DevToolsException.Kind.CLOSED, method + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** Sends a command without waiting: the future holds its result or a {@link DevToolsException}. */
  public CompletableFuture<JsonNode> sendAsync(String method, Map<String, Object> params) {
    return sendRaw(method, params).answer().thenApply(response -> resultOf(method, response));
  }

  /** A command on its way: its id, and the browser's whole answer to come. */
  private record Sent(int id, CompletableFuture<JsonNode> answer) {}

  private Sent sendRaw(String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    DevToolsException gone = ended;
    if (gone != null) {
      answer.completeExceptionally(gone);
      return new Sent(id, answer);
    }
    waiting.put(id, answer);
    answer.whenComplete((r, e) -> waiting.remove(id));
    ObjectNode message = Json.mapper().createObjectNode().put("id", id).put("method", method);
    message.set("params", Json.mapper().valueToTree(params));
    String text = message.toString();
    synchronized (this) {
      // One message on the wire at a time (the JDK's WebSocket refuses a send while one is
      // pending), in the order commands were given.
      sending = sending.handle((ws, error) -> null).thenCompose(v -> socket.sendText(text, true))
          .whenComplete((ws, error) -> {
            if (error != null) {
              answer.completeExceptionally(new DevToolsException(DevToolsException.Kind.CLOSED, "cannot send " + method + ": " + error, error));
            }
          });
    }
    if (ended != null) {
      answer.completeExceptionally(ended); // it ended while this was being registered
    }
    return new Sent(id, answer);
  }

  /** A command's result, or its protocol error thrown. */
  private static JsonNode resultOf(String method, JsonNode response) {
    if (response.has("error")) {
      throw new DevToolsException(DevToolsException.Kind.PROTOCOL,
          method + ": " + response.path("error").path("message").asText(response.get("error").toString()), null);
    }
    return response.path("result");
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
    } catch (DevToolsException e) {
      return -1;
    }
  }

  /** Whether the target is still there to answer (its connection not closed by the browser). */
  public boolean isOpen() {
    return ended == null && !socket.isInputClosed() && !socket.isOutputClosed();
  }

  /** Turns on the tab's performance metrics, for {@link #heapUsed}. */
  public DevToolsSocket enableMetrics(Duration limit) {
    send("Performance.enable", Map.of(), limit);
    return this;
  }

  @Override
  public void close() {
    end(new DevToolsException(DevToolsException.Kind.CLOSED, "the DevTools connection was closed", null));
    socket.abort();
  }

  /** Fails every command waiting and every later one with {@code why} (the first reason wins). */
  private void end(DevToolsException why) {
    if (ended == null) {
      ended = why;
    }
    waiting.values().forEach(f -> f.completeExceptionally(ended));
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        dispatch(text);
      }
      ws.request(1);
      return null;
    }

    private void dispatch(String text) {
      JsonNode node;
      try {
        node = Json.mapper().readTree(text);
      } catch (IOException e) {
        return; // not a protocol message
      }
      if (node.has("id")) {
        CompletableFuture<JsonNode> f = waiting.get(node.get("id").asInt());
        if (f != null) {
          f.complete(node);
        }
        return;
      }
      String method = node.path("method").asText();
      if ("Inspector.targetCrashed".equals(method)) {
        // Commands sent to a crashed renderer are never answered: fail them now.
        end(new DevToolsException(DevToolsException.Kind.CRASHED, "the target crashed", null));
      } else if ("Inspector.detached".equals(method)) {
        end(new DevToolsException(DevToolsException.Kind.CLOSED, "DevTools detached: " + node.path("params").path("reason").asText(), null));
      }
      try {
        events.accept(method, node.path("params"));
      } catch (RuntimeException e) {
        // a handler's failure must not stop the connection
      }
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      end(new DevToolsException(DevToolsException.Kind.CLOSED, "DevTools connection failed: " + error, error));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      end(new DevToolsException(DevToolsException.Kind.CLOSED, "DevTools closed the connection (" + status + " " + reason + ")", null));
      return null;
    }
  }
}
