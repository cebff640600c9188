package io.kubegrade.gateway.submission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.gateway.testing.Tokens;
import io.kubegrade.gateway.testing.UngradedSubmission;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Submitting, grading by the embedded runner, storage in FerretDB and MinIO, and every bad input. */
class SubmissionApiIT extends PlatformIT {
  private static final Duration GRADED = Duration.ofSeconds(60);

  static String solution(String challenge, String verdict, String file) {
    try {
      return Files.readString(challenges().resolve(challenge).resolve("solutions").resolve(verdict).resolve(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anAcceptedSubmissionIsStreamedStoredAndListed() throws Exception {
    String user = newUser();
    String token = token(user);
    String source = solution("counter", "ACCEPTED", "hooks.jsx");

    JsonNode accepted = http.post().uri("/api/v1/submissions").headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("challengeId", "counter", "source", source))
        .exchange().expectStatus().isAccepted()
        .expectHeader().exists("Location")
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    String id = accepted.get("id").asText();
    assertThat(accepted.get("status").asText()).isEqualTo("QUEUED");
    assertThat(accepted.get("links").get("events").asText()).isEqualTo("/api/v1/submissions/" + id + "/events");

    List<GradingEvent> events = webSocketEvents(token, id, 0);
    assertThat(events).extracting(GradingEvent::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events.get(0).type()).isEqualTo(EventType.QUEUED);
    assertThat(events.get(1).type()).isEqualTo(EventType.STARTED);
    assertThat(events).filteredOn(GradingEvent::isTerminal).hasSize(1);
    GradingEvent verdict = events.get(events.size() - 1);
    assertThat(verdict.verdict().status().name()).isEqualTo("ACCEPTED");

    JsonNode stored = eventually(GRADED, () -> {
      JsonNode s = get(token, "/api/v1/submissions/" + id).expectStatus().isOk()
          .expectBody(JsonNode.class).returnResult().getResponseBody();
      assertThat(s.get("status").asText()).isEqualTo("ACCEPTED");
      return s;
    });
    assertThat(stored.get("verdict").get("passed").asInt()).isEqualTo(verdict.verdict().total());
    assertThat(stored.get("user").asText()).isEqualTo(user);

    // The source is in S3 under solutions/<user>/<challenge>/<submission>.jsx, readable by presigned URL.
    JsonNode link = get(token, "/api/v1/submissions/" + id + "/source").expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    assertThat(link.get("url").asText()).contains("/solutions/" + user + "/counter/" + id + ".jsx");
    HttpResponse<String> fetched = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(link.get("url").asText())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.body()).isEqualTo(source);

    get(token, "/api/v1/submissions?mine").expectStatus().isOk().expectBody()
        .jsonPath("$.items[0].id").isEqualTo(id);
    get(token, "/api/v1/me/solved").expectStatus().isOk().expectBody()
        .jsonPath("$.challengeIds[0]").isEqualTo("counter");
  }

  @Test
  void aWrongAnswerHasAScreenshotAndHistoryIsNewestFirstAndFiltered() throws Exception {
    String token = token(newUser());
    String wrong = submit(token, "counter", solution("counter", "WRONG_ANSWER", "adds-two.jsx"));
    webSocketEvents(token, wrong, 0);
    String right = submit(token, "toggle-on-off", solution("toggle-on-off", "ACCEPTED",
        firstFile("toggle-on-off", "ACCEPTED")));
    webSocketEvents(token, right, 0);

    eventually(GRADED, () -> {
      get(token, "/api/v1/submissions/" + wrong).expectStatus().isOk().expectBody()
          .jsonPath("$.status").isEqualTo("WRONG_ANSWER")
          .jsonPath("$.hasScreenshot").isEqualTo(true);
      return null;
    });
    JsonNode shot = get(token, "/api/v1/submissions/" + wrong + "/screenshot").expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    HttpResponse<byte[]> png = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(shot.get("url").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');

    eventually(GRADED, () -> {
      get(token, "/api/v1/submissions?mine&page=0&size=10").expectStatus().isOk().expectBody()
          .jsonPath("$.items.length()").isEqualTo(2)
          .jsonPath("$.items[0].id").isEqualTo(right)
          .jsonPath("$.items[1].id").isEqualTo(wrong);
      return null;
    });
    get(token, "/api/v1/submissions?challengeId=counter").expectStatus().isOk().expectBody()
        .jsonPath("$.items.length()").isEqualTo(1).jsonPath("$.items[0].id").isEqualTo(wrong);
    get(token, "/api/v1/submissions?status=ACCEPTED").expectStatus().isOk().expectBody()
        .jsonPath("$.items.length()").isEqualTo(1).jsonPath("$.items[0].id").isEqualTo(right);
    get(token, "/api/v1/submissions/" + right + "/screenshot").expectStatus().isNotFound();
  }

  @Autowired SubmissionStore store;
  @Autowired StatefulRedisConnection<String, String> redis;

  @Test
  void aVerdictOnTheStreamIsWhatGetAnswersBeforeMongoDbHasRecordedIt() {
    String user = newUser();
    UngradedSubmission s = UngradedSubmission.store(store, user, token(user));
    // The log as its script leaves it, without the verdict stream the recorder reads: the moment a
    // client has the verdict from a stream and MongoDB does not have it yet.
    s.events().forEach(e -> redis.sync().rpush(RedisLayout.historyKey(s.id()), e.toJson()));
    http.get().uri("/api/v1/submissions/" + s.id()).headers(h -> h.setBearerAuth(s.token())).exchange()
        .expectStatus().isOk().expectBody()
        .jsonPath("$.status").isEqualTo("ACCEPTED")
        .jsonPath("$.verdict.message").isEqualTo("all 1 tests passed")
        .jsonPath("$.finishedAt").isNotEmpty();
    assertThat(store.findOwned(s.id(), user).block().status()).as("MongoDB, meanwhile").isEqualTo(SubmissionStatus.QUEUED);
    // Part-way through, it is RUNNING.
    UngradedSubmission running = UngradedSubmission.store(store, user, token(user));
    running.events().subList(0, 2).forEach(e -> redis.sync().rpush(RedisLayout.historyKey(running.id()), e.toJson()));
    http.get().uri("/api/v1/submissions/" + running.id()).headers(h -> h.setBearerAuth(running.token())).exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("RUNNING");
  }

  @Test
  void badInputGetsProblemDetailsAndNeverAStackTrace() {
    String token = token(newUser());
    String ok = solution("counter", "ACCEPTED", "hooks.jsx");

    problem(post(token, Map.of("challengeId", "counter", "source", "x".repeat(64 * 1024 + 1))), HttpStatus.PAYLOAD_TOO_LARGE)
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains("65537 bytes"));
    problem(http.post().uri("/api/v1/submissions").headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"challengeId\": \"counter\", \"source\": ").exchange(),
        HttpStatus.BAD_REQUEST);
    problem(post(token, Map.of("source", ok)), HttpStatus.BAD_REQUEST)
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains("challengeId"));
    problem(post(token, Map.of("challengeId", "no-such-challenge", "source", ok)), HttpStatus.NOT_FOUND)
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains("no-such-challenge"));
    problem(http.post().uri("/api/v1/submissions").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", ok)).exchange(), HttpStatus.UNAUTHORIZED);
    problem(post(Tokens.forged("mallory"), Map.of("challengeId", "counter", "source", ok)), HttpStatus.UNAUTHORIZED);
    problem(http.get().uri("/api/v1/submissions/s000").headers(h -> h.setBearerAuth(token)).exchange(),
        HttpStatus.NOT_FOUND);
    problem(http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.parseMediaType("application/yaml")).bodyValue("id: x").exchange(), HttpStatus.FORBIDDEN);
  }

  @Test
  void someoneElsesSubmissionDoesNotExistForYou() {
    String owner = token(newUser());
    String other = token(newUser());
    String id = submit(owner, "counter", solution("counter", "ACCEPTED", "hooks.jsx"));
    for (String path : List.of("", "/source", "/screenshot", "/events")) {
      problem(http.get().uri("/api/v1/submissions/" + id + path).headers(h -> h.setBearerAuth(other)).exchange(),
          HttpStatus.NOT_FOUND);
    }
    get(other, "/api/v1/submissions?mine").expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
    webSocketEvents(owner, id, 0);
  }

  @Test
  void theRateLimitAnswers429WithRetryAfter() {
    String token = token(newUser());
    // The window is the clock minute: within PER_MINUTE + 1 submissions a 429 comes, unless the
    // minute turns over in between, which can happen at most once in so short a run.
    // (A compile error grades in milliseconds, so these do not keep the runner busy.)
    int accepted = 0;
    for (int i = 0; i < 2 * PER_MINUTE + 2; i++) {
      var result = post(token, Map.of("challengeId", "counter", "source", "syntax error " + i + " ("))
          .expectBody(JsonNode.class).returnResult();
      if (result.getStatus().value() == 202) {
        accepted++;
        continue;
      }
      assertThat(result.getStatus().value()).isEqualTo(429);
      assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
      assertThat(Integer.parseInt(result.getResponseHeaders().getFirst("Retry-After"))).isBetween(1, 60);
      assertThat(result.getResponseBody().get("status").asInt()).isEqualTo(429);
      assertThat(result.getResponseBody().get("detail").asText()).contains("at most " + PER_MINUTE);
      assertThat(accepted).isGreaterThanOrEqualTo(PER_MINUTE);
      return;
    }
    throw new AssertionError("no 429 after " + accepted + " submissions");
  }

  private WebTestClient.ResponseSpec post(String token, Map<String, String> body) {
    return http.post().uri("/api/v1/submissions").headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
  }

  private WebTestClient.ResponseSpec get(String token, String path) {
    return http.get().uri(path).headers(h -> h.setBearerAuth(token)).exchange();
  }

  private static WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, HttpStatus status) {
    return response.expectStatus().isEqualTo(status)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(status.value())
        .jsonPath("$.title").isNotEmpty()
        .jsonPath("$.trace").doesNotExist()
        .jsonPath("$.exception").doesNotExist()
        .jsonPath("$.detail").value(d -> assertThat(String.valueOf(d)).doesNotContain("Exception").doesNotContain("\tat "));
  }

  static String firstFile(String challenge, String verdict) {
    try (var files = Files.list(challenges().resolve(challenge).resolve("solutions").resolve(verdict))) {
      return files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
