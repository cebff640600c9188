package io.kubegrade.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.gateway.stream.EventPublisher;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.gateway.testing.UngradedSubmission;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * kubegrade.cors on every transport (PlatformIT allows {@link #ALLOWED} and the pattern
 * {@code https://*.school.example}): a page on an allowed origin gets its preflights answered and
 * can read responses and problems; a page anywhere else is refused with a 403 problem on HTTP, SSE,
 * the events WebSocket and RSocket over WebSocket - tried on a submission whose streams the allowed
 * origin does receive, so the refusals mean something; the gateway's own origin is not cross-origin.
 */
class CrossOriginIT extends PlatformIT {
  static final String ALLOWED = "https://learn.example.com";
  private static final String BY_PATTERN = "https://room-12.school.example";
  private static final String REFUSED = "https://learn.example.com.evil.example";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Autowired SubmissionStore store;
  @Autowired EventPublisher publisher;
  @Autowired RSocketRequester.Builder requesters;

  private UngradedSubmission graded() {
    String user = newUser();
    UngradedSubmission s = UngradedSubmission.store(store, user, token(user));
    s.events().forEach(e -> publisher.publish(e).block());
    return s;
  }

  private WebTestClient.ResponseSpec preflight(String origin, String method, String headers) {
    return http.options().uri("/api/v1/submissions").header(HttpHeaders.ORIGIN, origin)
        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, headers).exchange();
  }

  private static void isProblem(WebTestClient.ResponseSpec response, HttpStatus status, String type) {
    response.expectStatus().isEqualTo(status)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.type").isEqualTo("https://kubegrade.io/problems/" + type)
        .jsonPath("$.status").isEqualTo(status.value())
        .jsonPath("$.detail").value(d -> assertThat(d.toString()).doesNotContain("Exception").doesNotContain("io.kubegrade"));
  }

  @Test
  void anAllowedOriginsPreflightIsAnsweredWithWhatTheApiTakes() {
    for (String origin : List.of(ALLOWED, BY_PATTERN)) {
      preflight(origin, "POST", "authorization, content-type").expectStatus().isNoContent()
          .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, m -> assertThat(m).contains("POST"))
          .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS,
              h -> assertThat(h.toLowerCase(Locale.ROOT)).contains("authorization").contains("content-type"))
          .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "1800")
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
    // What a browser's EventSource resends on reconnecting.
    preflight(ALLOWED, "GET", "last-event-id").expectStatus().isNoContent();
  }

  @Test
  void aPreflightForWhatTheApiDoesNotTakeIsRefusedWithAProblem() {
    isProblem(preflight(ALLOWED, "PATCH", "content-type"), HttpStatus.FORBIDDEN, "preflight-refused");
    isProblem(preflight(ALLOWED, "POST", "x-forwarded-user"), HttpStatus.FORBIDDEN, "preflight-refused");
    isProblem(preflight(REFUSED, "POST", "authorization"), HttpStatus.FORBIDDEN, "origin-not-allowed");
  }

  @Test
  void anAllowedOriginReadsResponsesAndProblems() {
    String token = token(newUser());
    http.get().uri("/api/v1/challenges").header(HttpHeaders.ORIGIN, ALLOWED).exchange().expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
        .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS,
            h -> assertThat(h.toLowerCase(Locale.ROOT)).contains("location").contains("retry-after"));
    // A submission, and a problem: both readable by the page (the CORS headers are on them too).
    http.post().uri("/api/v1/submissions").header(HttpHeaders.ORIGIN, ALLOWED).headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("challengeId", "no-such-challenge", "source", "x"))
        .exchange().expectStatus().isNotFound()
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    http.get().uri("/api/v1/submissions?mine").header(HttpHeaders.ORIGIN, ALLOWED).exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void everyTransportRefusesAPageFromAnOriginNotAllowed() {
    UngradedSubmission s = graded();
    // The allowed origin gets the whole stream on every transport: the refusals below mean something.
    assertThat(sse(s, ALLOWED).block(WAIT)).hasSize(5);
    assertThat(webSocket(s, ALLOWED).block(WAIT)).hasSize(5);
    assertThat(rsocket(s, ALLOWED).block(WAIT)).hasSize(5);

    isProblem(http.get().uri("/api/v1/challenges").header(HttpHeaders.ORIGIN, REFUSED).exchange(),
        HttpStatus.FORBIDDEN, "origin-not-allowed");
    isProblem(http.get().uri("/api/v1/submissions/" + s.id()).header(HttpHeaders.ORIGIN, REFUSED)
        .headers(h -> h.setBearerAuth(s.token())).exchange(), HttpStatus.FORBIDDEN, "origin-not-allowed");
    isProblem(http.post().uri("/api/v1/submissions").header(HttpHeaders.ORIGIN, "null")
        .headers(h -> h.setBearerAuth(s.token())).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", "x")).exchange(), HttpStatus.FORBIDDEN, "origin-not-allowed");
    assertThat(refusal(sse(s, REFUSED))).isEqualTo("status 403");
    assertThat(refusal(webSocket(s, REFUSED))).isEqualTo("handshake 403");
    assertThat(refusal(rsocket(s, REFUSED))).isEqualTo("handshake 403");
  }

  @Test
  void theGatewaysOwnOriginIsNotCrossOriginWhateverTheScheme() {
    // As the playground's page sends it, and as it arrives behind an ingress that ends TLS.
    for (String own : List.of("http://localhost:" + port, "https://localhost:" + port)) {
      http.get().uri("/api/v1/challenges").header(HttpHeaders.ORIGIN, own).exchange().expectStatus().isOk()
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }
    // Another port of the same host is another origin.
    isProblem(http.get().uri("/api/v1/challenges").header(HttpHeaders.ORIGIN, "http://localhost:" + (port + 1)).exchange(),
        HttpStatus.FORBIDDEN, "origin-not-allowed");
    assertThat(CrossOriginPolicy.sameOrigin("https://gw.example", "gw.example")).isTrue();
    assertThat(CrossOriginPolicy.sameOrigin("https://gw.example", "gw.example:443")).isTrue();
    assertThat(CrossOriginPolicy.sameOrigin("https://gw.example", "gw.example:8443")).isFalse();
    assertThat(CrossOriginPolicy.sameOrigin("http://[::1]:8080", "[::1]:8080")).isTrue();
    assertThat(CrossOriginPolicy.sameOrigin("null", "gw.example")).isFalse();
  }

  private static String refusal(Mono<List<GradingEvent>> stream) {
    try {
      List<GradingEvent> events = stream.block(WAIT);
      return "not refused: " + events;
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof WebSocketClientHandshakeException h) {
          return "handshake " + h.response().status().code();
        }
        if (t instanceof Refused r) {
          return r.getMessage();
        }
      }
      return String.valueOf(e);
    }
  }

  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  private Mono<List<GradingEvent>> sse(UngradedSubmission s, String origin) {
    return WebClient.create("http://localhost:" + port).get().uri("/api/v1/submissions/" + s.id() + "/events")
        .accept(MediaType.TEXT_EVENT_STREAM).header(HttpHeaders.ORIGIN, origin).headers(h -> h.setBearerAuth(s.token()))
        .exchangeToFlux(r -> r.statusCode().is2xxSuccessful()
            ? r.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {}).map(e -> GradingEvent.fromJson(e.data()))
            : r.bodyToMono(JsonNode.class).flatMapMany(problem -> Flux.error(new Refused("status " + r.statusCode().value()))))
        .collectList();
  }

  private Mono<List<GradingEvent>> webSocket(UngradedSubmission s, String origin) {
    URI uri = URI.create("ws://localhost:" + port + "/api/v1/submissions/" + s.id() + "/events/ws?access_token=" + s.token());
    HttpHeaders headers = new HttpHeaders();
    headers.setOrigin(origin);
    List<GradingEvent> events = new CopyOnWriteArrayList<>();
    return new ReactorNettyWebSocketClient().execute(uri, headers, session -> session.receive()
            .doOnNext(m -> events.add(GradingEvent.fromJson(m.getPayloadAsText()))).then())
        .then(Mono.fromSupplier(() -> List.copyOf(events)));
  }

  private Mono<List<GradingEvent>> rsocket(UngradedSubmission s, String origin) {
    HttpClient client = HttpClient.create().host("localhost").port(port).headers(h -> h.set(HttpHeaders.ORIGIN, origin));
    RSocketRequester requester = requesters.dataMimeType(MediaType.APPLICATION_JSON)
        .transport(WebsocketClientTransport.create(client, "/rsocket"));
    return requester.route("submissions.events").data(Map.of("submissionId", s.id(), "accessToken", s.token(), "after", 0))
        .retrieveFlux(byte[].class).map(b -> GradingEvent.fromJson(new String(b, StandardCharsets.UTF_8))).collectList()
        .doFinally(signal -> requester.dispose());
  }
}
