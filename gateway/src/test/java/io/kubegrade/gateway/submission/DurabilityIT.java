package io.kubegrade.gateway.submission;

import static io.kubegrade.gateway.testing.PlatformIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.testing.EventClients;
import io.kubegrade.gateway.testing.GatewayInstances;
import io.kubegrade.gateway.testing.PlatformIT;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The durable verdict path with gateways coming and going: a verdict taken by a gateway that died
 * before recording it, two replicas, a Redis restart, and a submission nobody grades.
 */
class DurabilityIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static GatewayInstances gateways;
  private static RedisClient client;

  @BeforeAll
  static void start() {
    gateways = new GatewayInstances("durability-it", Map.of(
        "kubegrade.submissions.max-wait", "4s", "kubegrade.submissions.sweep-every", "1s"));
    client = RedisClient.create(gateways.redis.url());
  }

  @AfterAll
  static void stop() {
    client.shutdown();
    gateways.close();
  }

  record Fixture(String user, String id, List<GradingEvent> events) {}

  private static Fixture fixture(ConfigurableApplicationContext gateway) {
    String user = PlatformIT.newUser();
    String id = "s" + UUID.randomUUID().toString().replace("-", "");
    gateway.getBean(SubmissionStore.class).insert(new Submission(id, user, "counter", SubmissionStatus.QUEUED,
        Instant.now(), null, 10, false, null), "k").block();
    EventSequence seq = new EventSequence(id, 1);
    return new Fixture(user, id, List.of(seq.queued(), seq.started(null), seq.testStarted(0, "renders"),
        seq.testFinished(0, new TestResult("renders", TestOutcome.FAILED, 12, "expected 1, found 0")),
        seq.verdict(new Verdict(VerdictStatus.WRONG_ANSWER, "0 of 1 tests passed", 0, 1, 40,
            List.of(new TestResult("renders", TestOutcome.FAILED, 12, "expected 1, found 0")), null, null, List.of(), null,
            null))));
  }

  /** Publishes as a runner does, retrying while Redis is coming back. */
  private static void publish(List<GradingEvent> events) {
    for (GradingEvent e : events) {
      eventually(WAIT, () -> {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          Long r = c.sync().eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
              RedisLayout.appendEventKeys(e.submissionId()), RedisLayout.appendEventArgs(e));
          assertThat(r).as("the log numbers it").isEqualTo(e.seq());
        } catch (io.lettuce.core.RedisException down) {
          throw new AssertionError(down);
        }
        return null;
      });
    }
  }

  /** A trivial submission to the counter challenge, as {@code token}. */
  private static WebClient.RequestHeadersSpec<?> postSubmission(ConfigurableApplicationContext gateway, String token) {
    return WebClient.create("http://127.0.0.1:" + GatewayInstances.port(gateway)).post().uri("/api/v1/submissions")
        .headers(h -> h.setBearerAuth(token)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", "export default () => null;"));
  }

  private static Document stored(ConfigurableApplicationContext gateway, String id) {
    return gateway.getBean(SubmissionStore.class).findRaw(id).block();
  }

  private static String token(ConfigurableApplicationContext gateway, String user) {
    return WebClient.create("http://127.0.0.1:" + GatewayInstances.port(gateway)).post().uri("/api/v1/local/token")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("user", user))
        .retrieve().bodyToMono(JsonNode.class).block(WAIT).get("token").asText();
  }

  private static Flux<GradingEvent> webSocket(ConfigurableApplicationContext gateway, String token, String id) {
    return EventClients.webSocket(GatewayInstances.port(gateway), token, id, 0);
  }

  private static void awaitReady(ConfigurableApplicationContext gateway) {
    eventually(Duration.ofSeconds(60), () -> {
      assertThat(WebClient.create("http://127.0.0.1:" + GatewayInstances.port(gateway)).get()
          .uri("/actuator/health/readiness").retrieve().toBodilessEntity()
          .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT)).isNotNull();
      return null;
    });
  }

  @Test
  void aVerdictTakenByAGatewayThatDiedBeforeRecordingItIsRecordedByAnother() {
    ConfigurableApplicationContext first = gateways.start("gw-a");
    awaitReady(first);
    Fixture f = fixture(first);
    gateways.stop(first);

    publish(f.events());
    // A gateway reads the verdict and dies before recording or acknowledging it.
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      var taken = c.sync().xreadgroup(Consumer.from(RedisLayout.GATEWAYS_GROUP, "gw-died"),
          XReadArgs.Builder.count(100), XReadArgs.StreamOffset.lastConsumed(RedisLayout.VERDICT_STREAM));
      assertThat(taken).anyMatch(m -> f.id().equals(m.getBody().get("submissionId")));
    }

    ConfigurableApplicationContext second = gateways.start("gw-b");
    eventually(WAIT, () -> {
      Document d = stored(second, f.id());
      assertThat(d.getString("status")).isEqualTo("WRONG_ANSWER");
      assertThat(d.getInteger("recordings")).isEqualTo(1);
      return null;
    });
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().xpending(RedisLayout.VERDICT_STREAM, RedisLayout.GATEWAYS_GROUP).getCount()).isZero();
    }
    gateways.stop(second);
  }

  @Test
  void twoGatewaysEachFanOutToTheirOwnClientsAndEveryVerdictIsRecordedOnce() {
    ConfigurableApplicationContext a = gateways.start("gw-1");
    ConfigurableApplicationContext b = gateways.start("gw-2");
    awaitReady(a);
    awaitReady(b);
    List<Fixture> fixtures = new ArrayList<>();
    List<List<GradingEvent>> received = new ArrayList<>();
    List<Disposable> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Fixture f = fixture(a);
      fixtures.add(f);
      for (ConfigurableApplicationContext g : List.of(a, b)) {
        List<GradingEvent> got = new CopyOnWriteArrayList<>();
        received.add(got);
        clients.add(webSocket(g, token(g, f.user()), f.id()).subscribe(got::add));
      }
    }
    Flux.fromIterable(fixtures).flatMap(f -> reactor.core.publisher.Mono.fromRunnable(() -> publish(f.events()))
        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 4).blockLast(WAIT);
    eventually(WAIT, () -> {
      received.forEach(got -> assertThat(got).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L));
      fixtures.forEach(f -> {
        Document d = stored(a, f.id());
        assertThat(d.getString("status")).isEqualTo("WRONG_ANSWER");
        assertThat(d.getInteger("recordings")).isEqualTo(1);
      });
      return null;
    });
    clients.forEach(Disposable::dispose);
    gateways.stop(a);
    gateways.stop(b);
  }

  @Test
  void aGatewayShuttingDownEndsItsStreamsAndClientsResumeElsewhere() {
    ConfigurableApplicationContext a = gateways.start("gw-s1");
    awaitReady(a);
    Fixture f = fixture(a);
    publish(f.events().subList(0, 2));
    String token = token(a, f.user());
    List<GradingEvent> first = new CopyOnWriteArrayList<>();
    Mono<CloseStatus> closed = EventClients.webSocketClose(GatewayInstances.port(a), token, f.id(), 0, first::add).cache();
    closed.subscribe();
    Mono<List<String>> sse = WebClient.create("http://127.0.0.1:" + GatewayInstances.port(a)).get()
        .uri("/api/v1/submissions/{id}/events", f.id()).headers(h -> h.setBearerAuth(token))
        .accept(MediaType.TEXT_EVENT_STREAM).retrieve()
        .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
        .map(ServerSentEvent::id).collectList().cache();
    sse.subscribe();
    // RSocket over WebSocket: one connection streaming, one idle between streams, as an app keeps it.
    RSocketRequester.Builder requesters = a.getBean(RSocketRequester.Builder.class).dataMimeType(MediaType.APPLICATION_JSON);
    URI rsocketUri = URI.create("ws://127.0.0.1:" + GatewayInstances.port(a) + "/rsocket");
    RSocketRequester streaming = requesters.websocket(rsocketUri);
    RSocketRequester idle = requesters.websocket(rsocketUri);
    List<Long> overRSocket = new CopyOnWriteArrayList<>();
    Mono<String> rsocketEnd = streaming.route("submissions.events")
        .data(Map.of("submissionId", f.id(), "accessToken", token, "after", 0))
        .retrieveFlux(byte[].class)
        .doOnNext(b -> overRSocket.add(GradingEvent.fromJson(new String(b, StandardCharsets.UTF_8)).seq()))
        .then(Mono.just("completed")).onErrorResume(e -> Mono.just("ended: " + e.getMessage())).cache();
    rsocketEnd.subscribe();
    io.rsocket.RSocket idleConnection = idle.rsocketClient().source().block(WAIT);
    eventually(WAIT, () -> assertThat(first).extracting(GradingEvent::seq).containsExactly(1L, 2L));
    eventually(WAIT, () -> assertThat(overRSocket).containsExactly(1L, 2L));

    long t0 = System.nanoTime();
    gateways.stop(a);
    Duration stopping = Duration.ofNanos(System.nanoTime() - t0);

    CloseStatus status = closed.block(WAIT);
    assertThat(status).isNotNull();
    assertThat(status.getCode()).as("close code").isEqualTo(CloseStatus.GOING_AWAY.getCode());
    // Held by an open stream or connection, graceful shutdown would wait out its 10 s timeout.
    assertThat(stopping).as("stopping with streams and connections open").isLessThan(Duration.ofSeconds(8));
    assertThat(rsocketEnd.block(WAIT)).as("the RSocket stream").startsWith("ended");
    eventually(WAIT, () -> assertThat(idleConnection.isDisposed()).as("the idle RSocket connection, closed").isTrue());
    assertThat(sse.block(WAIT)).as("the SSE response ended, not cut: EventSource resumes from Last-Event-ID 2")
        .containsExactly("1", "2");
    // The replica clients reconnect to: started after, as two in one JVM share Reactor Netty's
    // global resources, which the first one's close disposes.
    ConfigurableApplicationContext b = gateways.start("gw-s2");
    awaitReady(b);
    List<GradingEvent> rest = new CopyOnWriteArrayList<>();
    Disposable resumed = EventClients.webSocket(GatewayInstances.port(b), token(b, f.user()), f.id(), first.get(first.size() - 1).seq())
        .subscribe(rest::add);
    publish(f.events().subList(2, 5));
    eventually(WAIT, () -> assertThat(rest).extracting(GradingEvent::seq).containsExactly(3L, 4L, 5L));
    resumed.dispose();
    gateways.stop(b);
  }

  @Test
  void afterARedisRestartTheGatewayResubscribesAndCatchesUp() {
    ConfigurableApplicationContext g = gateways.start("gw-r");
    awaitReady(g);
    Fixture f = fixture(g);
    List<GradingEvent> got = new CopyOnWriteArrayList<>();
    Disposable stream = webSocket(g, token(g, f.user()), f.id()).subscribe(got::add);
    publish(f.events().subList(0, 2));
    eventually(WAIT, () -> {
      assertThat(got).hasSize(2);
      return null;
    });

    gateways.redis.stopProcess();
    gateways.redis.startProcess();
    publish(f.events().subList(2, 5));

    eventually(WAIT, () -> {
      assertThat(got).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(stored(g, f.id()).getString("status")).isEqualTo("WRONG_ANSWER");
      return null;
    });
    stream.dispose();
    gateways.stop(g);
  }

  @Test
  void aSubmissionNobodyGradesEndsWithAVerdictInsteadOfWaitingForever() {
    ConfigurableApplicationContext g = gateways.start("gw-s");
    awaitReady(g);
    String user = PlatformIT.newUser();
    String token = token(g, user);
    JsonNode accepted = postSubmission(g, token).retrieve().bodyToMono(JsonNode.class).block(WAIT);
    List<GradingEvent> events = webSocket(g, token, accepted.get("id").asText()).collectList().block(WAIT);
    assertThat(events).extracting(GradingEvent::seq).containsExactly(1L, 2L);
    assertThat(events.get(1).verdict().status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
    assertThat(events.get(1).verdict().message()).contains("not graded within 4 s");
    eventually(WAIT, () -> {
      assertThat(stored(g, accepted.get("id").asText()).getString("status")).isEqualTo("INTERNAL_ERROR");
      return null;
    });
    gateways.stop(g);
  }

  @Test
  void aSubmissionThatCannotBeDispatchedEndsAtOnceWithAProblemAndNothingHalfDone() {
    ConfigurableApplicationContext g = gateways.start("gw-d");
    awaitReady(g);
    String user = PlatformIT.newUser();
    String token = token(g, user);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      // The job stream is unusable (here: not a stream at all), so queueing fails after QUEUED.
      c.sync().del(RedisLayout.JOB_STREAM);
      c.sync().set(RedisLayout.JOB_STREAM, "not a stream");
      try {
        var response = postSubmission(g, token).exchangeToMono(r -> r.toEntity(JsonNode.class)).block(WAIT);
        assertThat(response.getStatusCode().value()).isEqualTo(503);
        assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(response.getHeaders().getFirst("Retry-After")).isNotBlank();
        String id = response.getBody().get("submissionId").asText();
        assertThat(response.getBody().get("type").asText()).endsWith("dispatch-failed");

        List<GradingEvent> events = webSocket(g, token, id).collectList().block(WAIT);
        assertThat(events).extracting(GradingEvent::type).containsExactly(EventType.QUEUED, EventType.VERDICT);
        assertThat(events.get(1).verdict().status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
        assertThat(events.get(1).verdict().message()).contains("could not be handed to a grader");
        assertThat(c.sync().hget(RedisLayout.attemptKey(id), "n")).as("no attempt begun without its job").isNull();
        eventually(WAIT, () -> {
          assertThat(stored(g, id).getString("status")).isEqualTo("INTERNAL_ERROR");
          return null;
        });
      } finally {
        c.sync().del(RedisLayout.JOB_STREAM);
      }
    }
    gateways.stop(g);
  }

  @Test
  void aSubmissionWhileRedisIsDownIsRefusedWith503AndRetryAfterAndNothingIsStored() {
    ConfigurableApplicationContext g = gateways.start("gw-o");
    awaitReady(g);
    String user = PlatformIT.newUser();
    String token = token(g, user);
    gateways.redis.stopProcess();
    try {
      var response = postSubmission(g, token).exchangeToMono(r -> r.toEntity(JsonNode.class)).block(Duration.ofSeconds(40));
      assertThat(response.getStatusCode().value()).isEqualTo(503);
      assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
      assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
      assertThat(response.getBody().get("service").asText()).isEqualTo("Redis");
      assertThat(response.getBody().toString()).doesNotContain("Exception");
      assertThat(g.getBean(SubmissionStore.class).page(user, null, null, 0, 10).collectList().block(WAIT))
          .as("nothing stored for a refused submission").isEmpty();
    } finally {
      gateways.redis.startProcess();
    }
    // Back: the same request is accepted (the client's retry).
    eventually(WAIT, () -> {
      assertThat(postSubmission(g, token).exchangeToMono(r -> Mono.just(r.statusCode().value())).block(WAIT)).isEqualTo(202);
      return null;
    });
    gateways.stop(g);
  }
}
