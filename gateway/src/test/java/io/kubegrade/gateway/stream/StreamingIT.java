package io.kubegrade.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.submission.SubmissionStatus;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.gateway.testing.UngradedSubmission;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Replay then live, over WebSocket, SSE, RSocket over WebSocket and RSocket over TCP: late
 * subscribers, resuming, fan-out, slow and departing clients, and history that Redis forgot. The
 * events are published here through the runners' script, so the timing is the test's to choose.
 */
class StreamingIT extends PlatformIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Autowired SubmissionStore store;
  @Autowired EventPublisher publisher;
  @Autowired EventHub hub;
  @Autowired RSocketEvents rsocket;
  @Autowired RSocketRequester.Builder requesters;
  @Autowired StatefulRedisConnection<String, String> redis;
  @Autowired MeterRegistry meters;
  @Autowired com.mongodb.reactivestreams.client.MongoDatabase database;

  /** A stored submission that nobody grades, and the five events a runner would publish for it. */
  private UngradedSubmission fixture() {
    String user = newUser();
    return UngradedSubmission.store(store, user, token(user));
  }

  private void publish(List<GradingEvent> events) {
    for (GradingEvent e : events) {
      assertThat(publisher.publish(e).block()).isEqualTo(EventPublisher.Outcome.STORED);
    }
  }

  private static List<Long> seqs(List<GradingEvent> events) {
    return events.stream().map(GradingEvent::seq).toList();
  }

  private Flux<GradingEvent> sse(UngradedSubmission f, String lastEventId) {
    return WebClient.create("http://127.0.0.1:" + port).get()
        .uri("/api/v1/submissions/" + f.id() + "/events")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .headers(h -> {
          h.setBearerAuth(f.token());
          if (lastEventId != null) {
            h.set("Last-Event-ID", lastEventId);
          }
        })
        .retrieve().bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
        .doOnNext(e -> assertThat(e.id()).isEqualTo(String.valueOf(GradingEvent.fromJson(e.data()).seq())))
        .map(e -> GradingEvent.fromJson(e.data()));
  }

  private Flux<GradingEvent> rsocket(RSocketRequester requester, UngradedSubmission f, long after) {
    return requester.route("submissions.events")
        .data(Map.of("submissionId", f.id(), "accessToken", f.token(), "after", after))
        .retrieveFlux(byte[].class)
        .map(b -> GradingEvent.fromJson(new String(b, StandardCharsets.UTF_8)));
  }

  private RSocketRequester rsocketOverWebSocket() {
    return requesters.dataMimeType(MediaType.APPLICATION_JSON).websocket(URI.create("ws://127.0.0.1:" + port + "/rsocket"));
  }

  private RSocketRequester rsocketOverTcp() {
    return requesters.dataMimeType(MediaType.APPLICATION_JSON).tcp("127.0.0.1", rsocket.tcpPort());
  }

  @Test
  void aLateSubscriberGetsEveryEventInOrderOnEveryTransport() {
    UngradedSubmission f = fixture();
    publish(f.events());
    List<Long> all = List.of(1L, 2L, 3L, 4L, 5L);
    assertThat(seqs(webSocketEvents(f.token(), f.id(), 0))).isEqualTo(all);
    assertThat(seqs(sse(f, null).collectList().block(WAIT))).isEqualTo(all);
    RSocketRequester ws = rsocketOverWebSocket();
    RSocketRequester tcp = rsocketOverTcp();
    try {
      assertThat(seqs(rsocket(ws, f, 0).collectList().block(WAIT))).isEqualTo(all);
      assertThat(seqs(rsocket(tcp, f, 0).collectList().block(WAIT))).isEqualTo(all);
    } finally {
      ws.dispose();
      tcp.dispose();
    }
    assertThat(webSocketEvents(f.token(), f.id(), 0).get(4)).isEqualTo(f.events().get(4));
  }

  /** MongoDB finds on submissions so far (mongodb.driver.commands), whoever made them. */
  private long submissionFinds() {
    return meters.find("mongodb.driver.commands").tag("command", "find").tag("collection", "submissions")
        .timers().stream().mapToLong(t -> t.count()).sum();
  }

  @Test
  void aClassOfWatchersOpeningOneSubmissionAtOnceShareOneOwnershipLookup() {
    // Stored without the API, so Redis does not know the owner: MongoDB is asked, once.
    UngradedSubmission f = fixture();
    publish(f.events());
    long findsBefore = submissionFinds();
    long opensBefore = meters.get("kubegrade.stream.subscribe").tag("phase", "ownership").timer().count();
    int watchers = 60;

    List<List<GradingEvent>> all = Flux.range(0, watchers)
        .flatMap(i -> webSocketFlux(f.token(), f.id(), 0).collectList(), watchers)
        .collectList().block(WAIT);

    assertThat(all).hasSize(watchers).allSatisfy(events -> assertThat(seqs(events)).containsExactly(1L, 2L, 3L, 4L, 5L));
    assertThat(meters.get("kubegrade.stream.subscribe").tag("phase", "ownership").timer().count() - opensBefore)
        .isEqualTo(watchers);
    assertThat(meters.get("kubegrade.stream.subscribe").tag("phase", "history").timer().count()).isPositive();
    // One lookup for the 60 (the sweeper's own finds may land in the same window, hence not exactly 1).
    assertThat(submissionFinds() - findsBefore).isBetween(1L, 3L);
  }

  @Test
  void streamsOfALiveSubmissionAreCheckedAgainstRedisAlone() {
    String owner = newUser();
    String token = token(owner);
    String id = submit(token, "click-changes-label", "export default function App() { return <button>Click me</button>; }");
    assertThat(redis.sync().get(RedisLayout.ownerKey(id))).isEqualTo(owner);
    // Without its MongoDB document the submission's log still says whose it is.
    assertThat(Mono.from(database.getCollection("submissions").deleteOne(new org.bson.Document("_id", id))).block(WAIT)
        .getDeletedCount()).isEqualTo(1);

    List<GradingEvent> firsts = Flux.range(0, 30).flatMap(i -> webSocketFlux(token, id, 0).next(), 30).collectList().block(WAIT);

    assertThat(firsts).hasSize(30).allSatisfy(e -> assertThat(e.seq()).isEqualTo(1));
    assertThat(webSocketEvents(token(newUser()), id, 0)).as("a stranger's stream").isEmpty();
  }

  @Test
  void replayThenLiveWithoutGapsOrDuplicatesAndEveryClientGetsEverything() {
    UngradedSubmission f = fixture();
    publish(f.events().subList(0, 2));
    List<List<GradingEvent>> received = new ArrayList<>();
    List<Disposable> clients = new ArrayList<>();
    RSocketRequester tcp = rsocketOverTcp();
    List<Flux<GradingEvent>> streams = List.of(webSocketFlux(f.token(), f.id(), 0), webSocketFlux(f.token(), f.id(), 0),
        sse(f, null), rsocket(tcp, f, 0));
    for (Flux<GradingEvent> stream : streams) {
      List<GradingEvent> got = new CopyOnWriteArrayList<>();
      received.add(got);
      clients.add(stream.subscribe(got::add));
    }
    eventually(WAIT, () -> {
      received.forEach(got -> assertThat(got).hasSize(2));
      return null;
    });
    publish(f.events().subList(2, 5));
    eventually(WAIT, () -> {
      received.forEach(got -> assertThat(seqs(got)).containsExactly(1L, 2L, 3L, 4L, 5L));
      return null;
    });
    clients.forEach(Disposable::dispose);
    tcp.dispose();
  }

  @Test
  void resumingFromASequenceNumberGivesOnlyWhatCameAfter() {
    UngradedSubmission f = fixture();
    publish(f.events());
    assertThat(seqs(sse(f, "2").collectList().block(WAIT))).containsExactly(3L, 4L, 5L);
    assertThat(seqs(webSocketEvents(f.token(), f.id(), 3))).containsExactly(4L, 5L);
    RSocketRequester ws = rsocketOverWebSocket();
    try {
      assertThat(seqs(rsocket(ws, f, 4).collectList().block(WAIT))).containsExactly(5L);
    } finally {
      ws.dispose();
    }
  }

  @Test
  void resumingAtTheVerdictCompletesAtOnceOnEveryTransportAndReleasesTheClient() {
    UngradedSubmission f = fixture();
    publish(f.events());
    int before = hub.clients();
    Duration atOnce = Duration.ofSeconds(5);
    assertThat(sse(f, "5").collectList().block(atOnce)).as("SSE, Last-Event-ID of the verdict").isEmpty();
    assertThat(webSocketFlux(f.token(), f.id(), 5).collectList().block(atOnce)).as("WebSocket").isEmpty();
    assertThat(webSocketFlux(f.token(), f.id(), 9).collectList().block(atOnce)).as("after a seq past the end").isEmpty();
    RSocketRequester ws = rsocketOverWebSocket();
    RSocketRequester tcp = rsocketOverTcp();
    try {
      assertThat(rsocket(ws, f, 5).collectList().block(atOnce)).as("RSocket over WebSocket").isEmpty();
      assertThat(rsocket(tcp, f, 5).collectList().block(atOnce)).as("RSocket over TCP").isEmpty();
    } finally {
      ws.dispose();
      tcp.dispose();
    }
    // Once Redis has forgotten the log, the stored verdict decides the same.
    eventually(WAIT, () -> {
      assertThat(store.find(f.id()).block().status()).isEqualTo(SubmissionStatus.ACCEPTED);
      return null;
    });
    redis.sync().del(RedisLayout.historyKey(f.id()), RedisLayout.doneKey(f.id()));
    assertThat(webSocketFlux(f.token(), f.id(), 5).collectList().block(atOnce)).as("replayed from MongoDB").isEmpty();
    assertThat(seqs(webSocketFlux(f.token(), f.id(), 3).collectList().block(atOnce))).containsExactly(5L);
    eventually(WAIT, () -> {
      assertThat(hub.clients()).isEqualTo(before);
      return null;
    });
  }

  @Test
  void aClientThatDoesNotReadIsDisconnectedAndReleased() {
    UngradedSubmission f = fixture();
    int before = hub.clients();
    EventSequence seq = new EventSequence(f.id(), 1);
    List<GradingEvent> flood = new ArrayList<>();
    flood.add(seq.queued());
    flood.add(seq.started(null));
    for (int i = 0; i < 300; i++) {
      flood.add(seq.testStarted(i, "test " + i));
    }
    StepVerifier.create(hub.events(f.id(), 0, "test", Mono.empty()), 0)
        .then(() -> publish(flood))
        .expectError(SlowClientException.class)
        .verify(WAIT);
    eventually(WAIT, () -> {
      assertThat(hub.clients()).isEqualTo(before);
      return null;
    });
  }

  @Test
  void aClientThatLeavesReleasesItsStream() {
    UngradedSubmission f = fixture();
    publish(f.events().subList(0, 1));
    int before = hub.clients();
    List<GradingEvent> got = new CopyOnWriteArrayList<>();
    Disposable client = webSocketFlux(f.token(), f.id(), 0).subscribe(got::add);
    eventually(WAIT, () -> {
      assertThat(got).hasSize(1);
      assertThat(hub.clients()).isEqualTo(before + 1);
      return null;
    });
    client.dispose();
    eventually(WAIT, () -> {
      assertThat(hub.clients()).isEqualTo(before);
      return null;
    });
  }

  @Test
  void whenRedisHasForgottenTheHistoryTheStoredVerdictIsReplayed() {
    UngradedSubmission f = fixture();
    publish(f.events());
    eventually(WAIT, () -> {
      assertThat(store.find(f.id()).block().status()).isEqualTo(SubmissionStatus.ACCEPTED);
      return null;
    });
    redis.sync().del(RedisLayout.historyKey(f.id()));
    List<GradingEvent> replayed = webSocketEvents(f.token(), f.id(), 0);
    assertThat(replayed).hasSize(1);
    assertThat(replayed.get(0).seq()).isEqualTo(5);
    assertThat(replayed.get(0).verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
  }
}
