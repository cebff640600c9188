package io.kubegrade.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.GradingEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A running platform as a front-end app sees it, for the benchmark and the reliability rounds:
 * local tokens, HTTP submit, the stored submission, the WebSocket event stream.
 */
final class PlatformClient {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final String base;

  PlatformClient(String base) {
    this.base = base;
  }

  String token(String user) throws IOException, InterruptedException {
    return json(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/local/token"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString())).get("token").asText();
  }

  /** Submits to the "Click me" challenge; the submission's id, or an exception saying what came back. */
  String submit(String token, String source) throws IOException, InterruptedException {
    HttpResponse<String> response = trySubmit(token, source);
    if (response.statusCode() != 202) {
      throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
    }
    return json(response).get("id").asText();
  }

  /** The status and body of a submit, whatever it was (for the outage rounds). */
  HttpResponse<String> trySubmit(String token, String source) throws IOException, InterruptedException {
    String body = Json.mapper().writeValueAsString(Map.of("challengeId", "click-changes-label", "source", source));
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The caller's stored submissions (GET /api/v1/submissions), the first page. */
  JsonNode mine(String token) throws IOException, InterruptedException {
    return json(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions?size=100"))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  String base() {
    return base;
  }

  /** The stored submission (GET /api/v1/submissions/{id}). */
  JsonNode submission(String token, String id) throws IOException, InterruptedException {
    return json(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions/" + id))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** Completes when each of {@code clients} WebSocket clients has received the terminal event. */
  CompletableFuture<Void> verdict(String token, String id, int clients) {
    List<CompletableFuture<List<GradingEvent>>> done = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      done.add(stream(token, id, e -> {}));
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  /**
   * One WebSocket client of a submission's events from the start: every event goes to
   * {@code onEvent} as it arrives; completes with all of them at the terminal event.
   */
  CompletableFuture<List<GradingEvent>> stream(String token, String id, Consumer<GradingEvent> onEvent) {
    return stream(token, id, 0, onEvent);
  }

  /**
   * The same, resumed: the events after {@code after} (a client reconnecting with the last seq it
   * had). Fails if the connection ends before the terminal event.
   */
  CompletableFuture<List<GradingEvent>> stream(String token, String id, long after, Consumer<GradingEvent> onEvent) {
    URI uri = URI.create(base.replaceFirst("^http", "ws") + "/api/v1/submissions/" + id + "/events/ws?access_token=" + token
        + (after > 0 ? "&after=" + after : ""));
    CompletableFuture<List<GradingEvent>> got = new CompletableFuture<>();
    List<GradingEvent> events = Collections.synchronizedList(new ArrayList<>());
    connect(uri, new Client<>(got, "the verdict") {
      private final StringBuilder frame = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        frame.append(data);
        if (last) {
          GradingEvent event = GradingEvent.fromJson(frame.toString());
          frame.setLength(0);
          events.add(event);
          onEvent.accept(event);
          if (event.isTerminal()) {
            got.complete(List.copyOf(events));
          }
        }
        ws.request(1);
        return null;
      }
    });
    return got;
  }

  /**
   * One WebSocket client that subscribes to a submission's events from the start and leaves at the
   * first one: completes with {@code [nanos to the handshake's end, nanos to the first event]},
   * both from the call.
   */
  CompletableFuture<long[]> subscribeOnce(String token, String id) {
    URI uri = URI.create(base.replaceFirst("^http", "ws") + "/api/v1/submissions/" + id + "/events/ws?access_token=" + token);
    long start = System.nanoTime();
    CompletableFuture<long[]> got = new CompletableFuture<>();
    connect(uri, new Client<>(got, "the first event") {
      private long open;

      @Override
      public void onOpen(WebSocket ws) {
        open = System.nanoTime() - start;
        ws.request(1);
      }

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (got.complete(new long[] {open, System.nanoTime() - start})) {
          ws.abort();
        }
        return null;
      }
    });
    return got;
  }

  /**
   * A client whose future fails when the connection ends or breaks before it completed (a
   * completed one ignores that), or when it cannot connect at all.
   */
  private abstract static class Client<T> implements WebSocket.Listener {
    final CompletableFuture<T> got;
    private final String awaited;

    Client(CompletableFuture<T> got, String awaited) {
      this.got = got;
      this.awaited = awaited;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      got.completeExceptionally(new IOException("closed before " + awaited + ": " + status + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      got.completeExceptionally(error);
    }
  }

  private static <T> void connect(URI uri, Client<T> client) {
    HTTP.newWebSocketBuilder().buildAsync(uri, client).exceptionally(e -> {
      client.got.completeExceptionally(e);
      return null;
    });
  }

  /**
   * The gateway's Prometheus scrape as {@code name{labels} -> value}, for what its own timers say
   * (sums and counts of {@code kubegrade_stream_subscribe_seconds} and the like).
   */
  Map<String, Double> metrics() throws IOException, InterruptedException {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> values = new java.util.HashMap<>();
    for (String line : text.split("\n")) {
      int space = line.lastIndexOf(' ');
      if (line.isEmpty() || line.startsWith("#") || space < 0) {
        continue;
      }
      try {
        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return values;
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return Json.mapper().readTree(response.body());
  }
}
