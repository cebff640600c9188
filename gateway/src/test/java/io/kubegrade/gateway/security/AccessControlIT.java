package io.kubegrade.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.gateway.stream.EventPublisher;
import io.kubegrade.gateway.stream.RSocketEvents;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.gateway.testing.Tokens;
import io.kubegrade.gateway.testing.UngradedSubmission;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who may read, list and stream what, tried on every transport - HTTP, SSE, WebSocket, RSocket over
 * WebSocket and over TCP - with the owner's token (the matrix is not vacuous), a stranger's, an
 * expired one, a forged one, an unsigned one, garbage and none; and a stream whose token expires
 * while it is open (docs/gateway.md#authentication).
 */
class AccessControlIT extends PlatformIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Autowired SubmissionStore store;
  @Autowired EventPublisher publisher;
  @Autowired RSocketEvents rsocket;
  @Autowired RSocketRequester.Builder requesters;

  /** How a stream ended for one client: the events it got, and the refusal if there was one. */
  record Outcome(List<GradingEvent> events, String refusal) {
    boolean refused() {
      return refusal != null;
    }
  }

  private UngradedSubmission graded() {
    String user = newUser();
    UngradedSubmission s = UngradedSubmission.store(store, user, token(user));
    s.events().forEach(e -> publisher.publish(e).block());
    return s;
  }

  private Map<String, String> badTokens(String owner) {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("expired", Tokens.signed(SECRET, owner, Instant.now().minusSeconds(600)));
    bad.put("forged", Tokens.forged(owner));
    bad.put("unsigned", Tokens.unsigned(owner));
    bad.put("garbage", "not.a.token");
    return bad;
  }

  @Test
  void onlyTheOwnerReadsOrStreamsASubmissionOnEveryTransport() {
    UngradedSubmission s = graded();
    String stranger = token(newUser());
    List<String> paths = List.of("", "/source", "/screenshot");

    // The owner gets everything everywhere: the refusals below mean something.
    http.get().uri("/api/v1/submissions/" + s.id()).headers(h -> h.setBearerAuth(s.token())).exchange().expectStatus().isOk();
    for (Outcome o : streams(s.token(), s.id())) {
      assertThat(o.refused()).as(o.refusal()).isFalse();
      assertThat(o.events()).hasSize(5);
    }

    // A stranger: 404, exactly as for an id that does not exist, and an empty list.
    for (String path : paths) {
      String theirs = problemDetail(s.id() + path, stranger, HttpStatus.NOT_FOUND);
      String nobodys = problemDetail("s" + "0".repeat(32) + path, stranger, HttpStatus.NOT_FOUND);
      assertThat(theirs.replace(s.id(), "ID")).as("someone else's is indistinguishable from nothing")
          .isEqualTo(nobodys.replace("s" + "0".repeat(32), "ID"));
    }
    http.get().uri("/api/v1/submissions?mine").headers(h -> h.setBearerAuth(stranger)).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
    for (Outcome o : streams(stranger, s.id())) {
      assertThat(o.events()).as("a stranger's stream").isEmpty();
      assertThat(o.refusal()).as("a stranger's stream").isNotNull().doesNotContain("Exception").doesNotContain("io.kubegrade");
    }

    // Bad tokens and none: 401 on HTTP and SSE and at the WebSocket handshake, an error on RSocket.
    Map<String, String> bad = badTokens(s.user());
    bad.put("none", null);
    for (var token : bad.entrySet()) {
      for (String path : List.of("", "/source", "/screenshot", "/events")) {
        problemDetail(s.id() + path, token.getValue(), HttpStatus.UNAUTHORIZED);
      }
      http.get().uri("/api/v1/submissions?mine").headers(h -> bearer(h, token.getValue())).exchange()
          .expectStatus().isUnauthorized();
      if (token.getValue() == null) {
        continue; // RSocket has no "no token": the request itself is then malformed (below)
      }
      for (Outcome o : streams(token.getValue(), s.id())) {
        assertThat(o.events()).as(token.getKey() + " token").isEmpty();
        assertThat(o.refusal()).as(token.getKey() + " token").isNotNull().doesNotContain("Exception");
      }
    }
    assertThat(outcome(rsocketEvents(rsocketOverTcp(), Map.of("submissionId", s.id()))).refusal())
        .contains("accessToken");
  }

  @Test
  void aStreamOpenWhenItsTokenExpiresRunsOnToItsVerdictAndCannotBeResumedWithIt() throws Exception {
    String user = newUser();
    Instant expires = Instant.now().plusSeconds(3);
    String shortLived = Tokens.signed(SECRET, user, expires);
    UngradedSubmission s = UngradedSubmission.store(store, user, shortLived);
    publisher.publish(s.events().get(0)).block();
    RSocketRequester ws = rsocketOverWebSocket();
    RSocketRequester tcp = rsocketOverTcp();
    try {
      List<CompletableFuture<List<GradingEvent>>> open = Stream.of(webSocketEvents(shortLived, s.id()),
          sseEvents(shortLived, s.id()), rsocketEvents(ws, shortLived, s.id()), rsocketEvents(tcp, shortLived, s.id()))
          .map(Mono::toFuture).toList();
      // Past the expiry (the test context allows no clock skew), with every stream still open.
      Thread.sleep(Duration.between(Instant.now(), expires).plusSeconds(1).toMillis());
      assertThat(open).as("streams still open after the token expired").noneMatch(CompletableFuture::isDone);
      s.events().subList(1, 5).forEach(e -> publisher.publish(e).block());
      for (var stream : open) {
        assertThat(stream.get(20, TimeUnit.SECONDS)).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      }
      for (Outcome o : streams(shortLived, s.id())) {
        assertThat(o.refusal()).as("resuming with the expired token").isNotNull();
      }
    } finally {
      ws.dispose();
      tcp.dispose();
    }
  }

  @Test
  void challengesAreWrittenOnlyByAdminsWithValidTokens() {
    String learner = token(newUser());
    String admin = token(newUser(), "admin");
    String id = "acl-" + newUser().toLowerCase();
    String yaml = """
        id: %s
        title: ACL
        statement: Render a button.
        tests:
          - name: a button
            steps:
              - expect: present
                target: button
        """.formatted(id);
    MediaType type = MediaType.parseMediaType("application/yaml");
    for (String bad : List.of(learner, Tokens.forged("mallory"), Tokens.unsigned("mallory"),
        Tokens.signed(SECRET, "old-admin", Instant.now().minusSeconds(600), "admin"))) {
      HttpStatus expected = bad.equals(learner) ? HttpStatus.FORBIDDEN : HttpStatus.UNAUTHORIZED;
      http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(bad)).contentType(type).bodyValue(yaml)
          .exchange().expectStatus().isEqualTo(expected);
      http.put().uri("/api/v1/challenges/counter").headers(h -> h.setBearerAuth(bad)).contentType(type).bodyValue(yaml)
          .exchange().expectStatus().isEqualTo(expected);
      http.delete().uri("/api/v1/challenges/counter").headers(h -> h.setBearerAuth(bad))
          .exchange().expectStatus().isEqualTo(expected);
      http.get().uri("/api/v1/challenges/counter/yaml").headers(h -> h.setBearerAuth(bad))
          .exchange().expectStatus().isEqualTo(expected);
    }
    http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(admin)).contentType(type).bodyValue(yaml)
        .exchange().expectStatus().isCreated();
    http.delete().uri("/api/v1/challenges/" + id).headers(h -> h.setBearerAuth(admin)).exchange()
        .expectStatus().is2xxSuccessful();
  }

  @Test
  void theGatewayListensOnLoopbackOnlyUnlessToldOtherwise() throws IOException {
    for (int listening : List.of(port, rsocket.tcpPort())) {
      List<String> addresses = listeners(listening);
      assertThat(addresses).as("sockets listening on port " + listening).isNotEmpty()
          .allSatisfy(a -> assertThat(a).isIn("0100007F", "00000000000000000000000001000000",
              "0000000000000000FFFF00000100007F"));
    }
  }

  /** Local addresses (hex, as the kernel lists them) of the TCP sockets listening on {@code port}. */
  private static List<String> listeners(int port) throws IOException {
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[1].contains(":") && "0A".equals(f[3])
            && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
          addresses.add(f[1].substring(0, f[1].indexOf(':')));
        }
      }
    }
    return addresses;
  }

  private String problemDetail(String pathAfterSubmissions, String token, HttpStatus status) {
    byte[] body = http.get().uri("/api/v1/submissions/" + pathAfterSubmissions).headers(h -> bearer(h, token)).exchange()
        .expectStatus().isEqualTo(status)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(status.value()).returnResult().getResponseBody();
    String text = new String(body, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("Exception").doesNotContain("io.kubegrade").doesNotContain("\tat ");
    return text;
  }

  private static void bearer(org.springframework.http.HttpHeaders h, String token) {
    if (token != null) {
      h.setBearerAuth(token);
    }
  }

  /** The same request on the four streaming transports. */
  private List<Outcome> streams(String token, String id) {
    RSocketRequester ws = rsocketOverWebSocket();
    RSocketRequester tcp = rsocketOverTcp();
    try {
      return List.of(outcome(webSocketEvents(token, id)), outcome(sseEvents(token, id)),
          outcome(rsocketEvents(ws, token, id)), outcome(rsocketEvents(tcp, token, id)));
    } finally {
      ws.dispose();
      tcp.dispose();
    }
  }

  private static Outcome outcome(Mono<List<GradingEvent>> stream) {
    try {
      return new Outcome(stream.block(WAIT), null);
    } catch (RuntimeException e) {
      return new Outcome(List.of(), describe(e));
    }
  }

  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WebSocketClientHandshakeException h) {
        return "handshake " + h.response().status().code();
      }
      if (t instanceof Refused r) {
        return r.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** A refusal a transport reported without an exception of its own (a close code, a status). */
  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  private Mono<List<GradingEvent>> webSocketEvents(String token, String id) {
    URI uri = URI.create("ws://127.0.0.1:" + port + "/api/v1/submissions/" + id + "/events/ws?access_token=" + token);
    List<GradingEvent> events = new CopyOnWriteArrayList<>();
    AtomicReference<Integer> code = new AtomicReference<>();
    return new ReactorNettyWebSocketClient().execute(uri, session -> session.receive()
            .doOnNext(m -> events.add(GradingEvent.fromJson(m.getPayloadAsText())))
            .then(session.closeStatus().doOnNext(c -> code.set(c.getCode())).then()))
        .then(Mono.defer(() -> code.get() != null && code.get() != 1000
            ? Mono.error(new Refused("closed " + code.get())) : Mono.just(List.copyOf(events))));
  }

  private Mono<List<GradingEvent>> sseEvents(String token, String id) {
    return WebClient.create("http://127.0.0.1:" + port).get().uri("/api/v1/submissions/" + id + "/events")
        .accept(MediaType.TEXT_EVENT_STREAM).headers(h -> bearer(h, token))
        .exchangeToFlux(r -> r.statusCode().is2xxSuccessful()
            ? r.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {}).map(e -> GradingEvent.fromJson(e.data()))
            : Flux.error(new Refused("status " + r.statusCode().value())))
        .collectList();
  }

  private Mono<List<GradingEvent>> rsocketEvents(RSocketRequester requester, String token, String id) {
    return rsocketEvents(requester, Map.of("submissionId", id, "accessToken", token, "after", 0));
  }

  private Mono<List<GradingEvent>> rsocketEvents(RSocketRequester requester, Map<String, Object> request) {
    return requester.route("submissions.events").data(request).retrieveFlux(byte[].class)
        .map(b -> GradingEvent.fromJson(new String(b, StandardCharsets.UTF_8))).collectList();
  }

  private RSocketRequester rsocketOverWebSocket() {
    return requesters.dataMimeType(MediaType.APPLICATION_JSON).websocket(URI.create("ws://127.0.0.1:" + port + "/rsocket"));
  }

  private RSocketRequester rsocketOverTcp() {
    return requesters.dataMimeType(MediaType.APPLICATION_JSON).tcp("127.0.0.1", rsocket.tcpPort());
  }
}
