package io.kubegrade.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.GradingEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Measures a running platform from the outside, as a front-end app sees it: HTTP submit, then the
 * WebSocket event stream until the verdict. Run by scripts/bench-platform.sh against the local
 * platform; prints RESULT lines.
 * usage: PlatformBenchmark <base-url> <solution.jsx> <sequential N> <burst N> <watchers N>
 */
public final class PlatformBenchmark {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static String base;

  private PlatformBenchmark() {}

  public static void main(String[] args) throws Exception {
    base = args[0];
    String source = Files.readString(Path.of(args[1]));
    int sequential = Integer.parseInt(args[2]);
    int burst = Integer.parseInt(args[3]);
    int watchers = Integer.parseInt(args[4]);

    // Warm-up: the JIT on both sides, the challenge cache.
    for (int i = 0; i < 3; i++) {
      String token = token("warmup-" + i);
      verdict(token, submit(token, source), 1).get(60, TimeUnit.SECONDS);
    }

    List<Long> accept = new ArrayList<>();
    List<Long> endToEnd = new ArrayList<>();
    String token = null;
    for (int i = 0; i < sequential; i++) {
      if (i % 20 == 0) {
        token = token("seq-" + i); // stays under the per-user rate limit
      }
      long t0 = System.nanoTime();
      String id = submit(token, source);
      long t1 = System.nanoTime();
      verdict(token, id, 1).get(60, TimeUnit.SECONDS);
      long t2 = System.nanoTime();
      accept.add((t1 - t0) / 1_000_000);
      endToEnd.add((t2 - t0) / 1_000_000);
    }
    result("submit_median", median(accept), "ms | POST /submissions to 202 (S3 put, MongoDB insert, QUEUED, dispatch), n=" + sequential);
    result("e2e_median", median(endToEnd), "ms | POST to VERDICT on the WebSocket, one at a time, n=" + sequential);
    result("e2e_p90", percentile(endToEnd, 90), "ms");

    long b0 = System.nanoTime();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      String t = token("burst-" + i);
      all.add(verdict(t, submit(t, source), 1));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    long burstMs = (System.nanoTime() - b0) / 1_000_000;
    result("burst_throughput", Math.round(burst * 60_000.0 / burstMs), "per minute | " + burst
        + " submissions at once, all verdicts received, " + burstMs + " ms");

    String t = token("fanout");
    long f0 = System.nanoTime();
    String id = submit(t, source);
    verdict(t, id, watchers).get(60, TimeUnit.SECONDS);
    result("fanout_all_verdicts", (System.nanoTime() - f0) / 1_000_000, "ms | POST to VERDICT at every one of "
        + watchers + " WebSocket clients of one submission");
  }

  private static void result(String name, long value, String rest) {
    System.out.println("RESULT " + name + " " + value + " " + rest);
  }

  private static String token(String user) throws Exception {
    return json(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/local/token"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString())).get("token").asText();
  }

  private static String submit(String token, String source) throws Exception {
    String body = Json.mapper().writeValueAsString(Map.of("challengeId", "click-changes-label", "source", source));
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
    }
    return json(response).get("id").asText();
  }

  /** Completes when each of {@code clients} WebSocket clients has received the VERDICT. */
  private static CompletableFuture<Void> verdict(String token, String id, int clients) {
    URI uri = URI.create(base.replaceFirst("^http", "ws") + "/api/v1/submissions/" + id + "/events/ws?access_token=" + token);
    List<CompletableFuture<Void>> done = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < clients; i++) {
      CompletableFuture<Void> got = new CompletableFuture<>();
      done.add(got);
      HTTP.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
        private final StringBuilder frame = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          frame.append(data);
          if (last) {
            if (GradingEvent.fromJson(frame.toString()).isTerminal()) {
              got.complete(null);
            }
            frame.setLength(0);
          }
          ws.request(1);
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          got.completeExceptionally(error);
        }
      }).exceptionally(e -> {
        got.completeExceptionally(e);
        return null;
      });
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  private static long median(List<Long> values) {
    return percentile(values, 50);
  }

  private static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
