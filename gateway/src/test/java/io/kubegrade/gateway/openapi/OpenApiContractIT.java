package io.kubegrade.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.gateway.stream.EventPublisher;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.kubegrade.gateway.testing.PlatformIT;
import io.kubegrade.gateway.testing.UngradedSubmission;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The OpenAPI document against what the gateway really answers: every operation of the document is
 * called here, with good and bad requests, and every status that comes back must be documented for
 * that operation - a problem as {@code application/problem+json} with the Problem schema, a success
 * with the media type it really has. An endpoint added without its contract, or a status that drifts
 * from it, fails this test.
 */
class OpenApiContractIT extends PlatformIT {
  private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  @Autowired SubmissionStore store;
  @Autowired EventPublisher publisher;

  /** One call: the operation it is (method and path template) and what came back. */
  record Call(HttpMethod method, String template, int status, MediaType contentType) {
    String operation() {
      return method.name() + " " + template;
    }
  }

  private final List<Call> calls = new ArrayList<>();

  private void call(String template, WebTestClient.RequestHeadersSpec<?> request) {
    EntityExchangeResult<byte[]> r = request.exchange().expectBody().returnResult();
    calls.add(new Call(r.getMethod(), template, r.getStatus().value(), r.getResponseHeaders().getContentType()));
  }

  private static String challenge(String id) throws Exception {
    return Files.readString(challenges().resolve("counter/challenge.yaml")).replaceFirst("(?m)^id: counter$", "id: " + id);
  }

  private void callEveryOperation() throws Exception {
    String learner = token(newUser());
    String admin = token(newUser(), "admin");
    String accepted = Files.readString(challenges().resolve("counter/solutions/ACCEPTED/hooks.jsx"));
    String user = newUser();
    UngradedSubmission s = UngradedSubmission.store(store, user, token(user));
    s.events().forEach(e -> publisher.publish(e).block());
    String unknown = "s" + "0".repeat(32);

    String submissions = "/api/v1/submissions";
    call(submissions, http.post().uri(submissions).headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", accepted)));
    call(submissions, http.post().uri(submissions).headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("source", accepted)));
    call(submissions, http.post().uri(submissions).headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{not json"));
    call(submissions, http.post().uri(submissions).headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "no-such-challenge", "source", accepted)));
    call(submissions, http.post().uri(submissions).headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", "x".repeat(70_000))));
    call(submissions, http.post().uri(submissions).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", accepted)));
    call(submissions, http.post().uri(submissions).header(HttpHeaders.ORIGIN, "https://elsewhere.example")
        .headers(h -> h.setBearerAuth(learner)).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", "counter", "source", accepted)));
    call(submissions, http.get().uri(submissions + "?mine").headers(h -> h.setBearerAuth(learner)));
    call(submissions, http.get().uri(submissions + "?size=0").headers(h -> h.setBearerAuth(learner)));
    call(submissions, http.get().uri(submissions + "?status=SOMEDAY").headers(h -> h.setBearerAuth(learner)));

    for (String sub : List.of("", "/source", "/screenshot")) {
      String template = submissions + "/{id}" + sub;
      call(template, http.get().uri(submissions + "/" + s.id() + sub).headers(h -> h.setBearerAuth(s.token())));
      call(template, http.get().uri(submissions + "/" + unknown + sub).headers(h -> h.setBearerAuth(s.token())));
      call(template, http.get().uri(submissions + "/" + s.id() + sub));
    }
    String events = submissions + "/{id}/events";
    call(events, http.get().uri(submissions + "/" + s.id() + "/events?after=5").accept(MediaType.TEXT_EVENT_STREAM)
        .headers(h -> h.setBearerAuth(s.token())));
    call(events, http.get().uri(submissions + "/" + s.id() + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        .header("Last-Event-ID", "the start").headers(h -> h.setBearerAuth(s.token())));
    call(events, http.get().uri(submissions + "/" + unknown + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        .headers(h -> h.setBearerAuth(s.token())));
    call(events, http.get().uri(submissions + "/" + s.id() + "/events").accept(MediaType.TEXT_EVENT_STREAM));
    call("/api/v1/me/solved", http.get().uri("/api/v1/me/solved").headers(h -> h.setBearerAuth(learner)));
    call("/api/v1/me/solved", http.get().uri("/api/v1/me/solved"));

    String challenges = "/api/v1/challenges";
    String id = "contract-" + newUser();
    call(challenges, http.get().uri(challenges));
    call(challenges + "/{id}", http.get().uri(challenges + "/counter"));
    call(challenges + "/{id}", http.get().uri(challenges + "/no-such-challenge"));
    call(challenges + "/{id}/yaml", http.get().uri(challenges + "/counter/yaml").headers(h -> h.setBearerAuth(admin)));
    call(challenges + "/{id}/yaml", http.get().uri(challenges + "/no-such-challenge/yaml").headers(h -> h.setBearerAuth(admin)));
    call(challenges + "/{id}/yaml", http.get().uri(challenges + "/counter/yaml").headers(h -> h.setBearerAuth(learner)));
    call(challenges + "/{id}/yaml", http.get().uri(challenges + "/counter/yaml"));
    call(challenges, http.post().uri(challenges).headers(h -> h.setBearerAuth(learner)).contentType(YAML).bodyValue(challenge(id)));
    call(challenges, http.post().uri(challenges).contentType(YAML).bodyValue(challenge(id)));
    call(challenges, http.post().uri(challenges).headers(h -> h.setBearerAuth(admin)).contentType(YAML).bodyValue(challenge(id)));
    call(challenges, http.post().uri(challenges).headers(h -> h.setBearerAuth(admin)).contentType(YAML).bodyValue(challenge(id)));
    call(challenges, http.post().uri(challenges).headers(h -> h.setBearerAuth(admin)).contentType(YAML).bodyValue("id: [unclosed"));
    call(challenges + "/{id}", http.put().uri(challenges + "/" + id).headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(challenge(id)));
    call(challenges + "/{id}", http.put().uri(challenges + "/" + id + "-2").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(challenge(id + "-2")));
    call(challenges + "/{id}", http.put().uri(challenges + "/" + id).headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(challenge("another-id")));
    call(challenges + "/{id}", http.put().uri(challenges + "/" + id).headers(h -> h.setBearerAuth(learner)).contentType(YAML)
        .bodyValue(challenge(id)));
    call(challenges + "/import", http.post().uri(challenges + "/import").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(challenge(id + "-3") + "\n---\n" + challenge(id + "-4")));
    call(challenges + "/import", http.post().uri(challenges + "/import").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(challenge(id + "-5") + "\n---\nid: 7\n"));
    call(challenges + "/import", http.post().uri(challenges + "/import").headers(h -> h.setBearerAuth(learner)).contentType(YAML)
        .bodyValue(challenge(id + "-6")));
    for (String created : List.of(id, id + "-2", id + "-3", id + "-4")) {
      call(challenges + "/{id}", http.delete().uri(challenges + "/" + created).headers(h -> h.setBearerAuth(admin)));
    }
    call(challenges + "/{id}", http.delete().uri(challenges + "/" + id).headers(h -> h.setBearerAuth(admin)));
    call(challenges + "/{id}", http.delete().uri(challenges + "/counter").headers(h -> h.setBearerAuth(learner)));

    String tokens = "/api/v1/local/token";
    call(tokens, http.post().uri(tokens).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("user", "ada")));
    call(tokens, http.post().uri(tokens).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("user", "not a name!")));
  }

  @Test
  void everyOperationAnswersOnlyWhatTheDocumentSays() throws Exception {
    JsonNode doc = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    assertThat(doc.path("info").path("title").asText()).isNotBlank();
    assertThat(doc.path("info").path("version").asText()).isEqualTo("1");
    JsonNode bearer = doc.path("components").path("securitySchemes").path("bearer");
    assertThat(bearer.path("type").asText()).isEqualTo("http");
    assertThat(bearer.path("scheme").asText()).isEqualTo("bearer");
    assertThat(doc.path("security").toString()).contains("bearer");
    JsonNode problem = doc.path("components").path("schemas").path("Problem");
    assertThat(problem.path("properties").has("status")).isTrue();
    assertThat(problem.path("properties").has("detail")).isTrue();

    callEveryOperation();

    // Every operation of the document was called (an endpoint without a case here fails).
    Set<String> documented = new LinkedHashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
    }
    assertThat(calls.stream().map(Call::operation).distinct()).containsExactlyInAnyOrderElementsOf(documented);

    List<String> drift = new ArrayList<>();
    for (Call c : calls) {
      JsonNode operation = doc.path("paths").path(c.template()).path(c.method().name().toLowerCase());
      JsonNode response = operation.path("responses").path(String.valueOf(c.status()));
      if (response.isMissingNode()) {
        drift.add(c.operation() + " answered " + c.status() + ", which is not documented");
        continue;
      }
      if (c.status() >= 400) {
        JsonNode problemJson = response.path("content").path(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (!MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(c.contentType())) {
          drift.add(c.operation() + " " + c.status() + " came as " + c.contentType() + ", not a problem document");
        } else if (!problemJson.path("schema").path("$ref").asText().endsWith("/Problem")) {
          drift.add(c.operation() + " " + c.status() + " is not documented as a problem document");
        }
      } else if (c.contentType() != null) {
        Set<String> types = new LinkedHashSet<>();
        response.path("content").fieldNames().forEachRemaining(types::add);
        if (types.stream().map(MediaType::parseMediaType).noneMatch(t -> t.isCompatibleWith(c.contentType()))) {
          drift.add(c.operation() + " " + c.status() + " came as " + c.contentType() + ", documented as " + types);
        }
      }
    }
    assertThat(drift).as("answers that drift from the document").isEmpty();
    // A token is required unless the operation says it is not.
    assertThat(doc.path("paths").path("/api/v1/challenges").path("get").path("security").isArray()).isTrue();
    assertThat(doc.path("paths").path("/api/v1/challenges").path("get").path("security")).isEmpty();
    assertThat(doc.path("paths").path("/api/v1/submissions").path("post").has("security")).isFalse();
    assertThat(doc.path("paths").path("/api/v1/submissions").path("post").path("responses").has("202")).isTrue();
    assertThat(doc.path("paths").path("/api/v1/submissions").path("post").path("responses").has("200")).isFalse();
  }
}
