package io.kubegrade.e2e.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * A learner's front end: a token signed by "the app" (HS256 with the chart's secret, as a real
 * integration does), submissions over HTTP, and each submission's events over a real WebSocket.
 */
public final class Learner {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI gateway;
  private final String user;
  private final String token;

  Learner(URI gateway, String hmacSecret, String user) {
    this.gateway = gateway;
    this.user = user;
    this.token = token(hmacSecret, user);
  }

  public String user() {
    return user;
  }

  /** A sample solution of the catalogue, e.g. ("counter", "ACCEPTED/hooks.jsx"). */
  public static String sample(String challenge, String file) {
    try {
      return Files.readString(Cluster.root().resolve("challenges").resolve(challenge).resolve("solutions").resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Submits and returns the new submission's id (the API answers 202). */
  public String submit(String challengeId, String source) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(gateway.resolve("/api/v1/submissions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("challengeId", challengeId, "source", source)))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return tree(r.body()).get("id").asText();
  }

  /** The stored submission ({@code GET /api/v1/submissions/{id}}). */
  public JsonNode get(String id) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(gateway.resolve("/api/v1/submissions/" + id))
        .header("Authorization", "Bearer " + token).GET());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return tree(r.body());
  }

  /**
   * Opens the submission's WebSocket from the start ({@code after=0}). Like a real front end, it
   * reconnects when the connection drops before the verdict (a gateway restarted, say), resuming
   * after the last seq it has.
   */
  public Stream watch(String id) {
    Stream stream = new Stream(this, id);
    stream.connect();
    return stream;
  }

  private java.util.concurrent.CompletableFuture<WebSocket> open(String id, long after, WebSocket.Listener listener) {
    return HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + gateway.getAuthority() + "/api/v1/submissions/" + id
        + "/events/ws?after=" + after + "&access_token=" + token), listener);
  }

  /** Submits and follows the stream to its verdict. */
  public Stream grade(String challengeId, String source, Duration within) {
    Stream s = watch(submit(challengeId, source));
    s.awaitVerdict(within);
    return s;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode tree(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static String json(Object o) {
    try {
      return Json.mapper().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(String secret, String user) {
    try {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(user).issueTime(new Date())
          .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2)))).claim("roles", List.of()).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One submission's events as the WebSocket delivers them, with the time each arrived. */
  public static final class Stream implements WebSocket.Listener {
    private final String id;
    private record Received(GradingEvent event, Instant at) {}

    private final Learner learner;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<GradingEvent> verdict = new CompletableFuture<>();
    private final StringBuilder frame = new StringBuilder();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    Stream(Learner learner, String id) {
      this.learner = learner;
      this.id = id;
    }

    void connect() {
      learner.open(id, lastSeq(), this).orTimeout(30, TimeUnit.SECONDS).join();
      connections.incrementAndGet();
    }

    private long lastSeq() {
      return received.isEmpty() ? 0 : received.get(received.size() - 1).event().seq();
    }

    /** After a drop before the verdict: again every second, resuming after the last seq. */
    private void reconnectLater() {
      if (verdict.isDone()) {
        return;
      }
      CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
        synchronized (frame) {
          frame.setLength(0);
        }
        learner.open(id, lastSeq(), this).whenComplete((ws, error) -> {
          if (error != null) {
            reconnectLater();
          } else {
            connections.incrementAndGet();
          }
        });
      });
    }

    /** How many times the stream connected (more than once: it resumed after a drop). */
    public int connections() {
      return connections.get();
    }

    public String id() {
      return id;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      String text = null;
      synchronized (frame) {
        frame.append(data);
        if (last) {
          text = frame.toString();
          frame.setLength(0);
        }
      }
      if (text != null) {
        GradingEvent e = GradingEvent.fromJson(text);
        received.add(new Received(e, Instant.now()));
        if (e.type() == EventType.VERDICT) {
          verdict.complete(e);
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      reconnectLater();
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      reconnectLater();
    }

    public GradingEvent awaitVerdict(Duration within) {
      try {
        return verdict.get(within.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("no VERDICT for " + id + " within " + within + "; events so far: "
            + events().stream().map(ev -> ev.seq() + " " + ev.type()).toList());
      } catch (Exception e) {
        throw new AssertionError("the stream of " + id + " failed: " + e, e);
      }
    }

    /** Every event, seq 1..n without a gap or a repeat, QUEUED first and exactly one VERDICT, last. */
    public Stream assertComplete() {
      List<GradingEvent> all = events();
      assertThat(all).as("events of " + id).isNotEmpty();
      assertThat(all.get(0).type()).isEqualTo(EventType.QUEUED);
      assertThat(all).extracting(GradingEvent::seq).as("seq of " + id)
          .containsExactly(LongStream.rangeClosed(1, all.size()).boxed().toArray(Long[]::new));
      assertThat(all).filteredOn(e -> e.type() == EventType.VERDICT).as("verdicts of " + id).hasSize(1);
      assertThat(all.get(all.size() - 1).type()).isEqualTo(EventType.VERDICT);
      return this;
    }

    public List<GradingEvent> events() {
      return received.stream().map(Received::event).toList();
    }

    public GradingEvent verdict() {
      return verdict.getNow(null);
    }

    public Instant verdictArrival() {
      return arrivalOf(EventType.VERDICT);
    }

    /** When the first event of this type arrived, or null. */
    public Instant arrivalOf(EventType type) {
      return received.stream().filter(r -> r.event().type() == type).map(Received::at).findFirst().orElse(null);
    }

  }
}
