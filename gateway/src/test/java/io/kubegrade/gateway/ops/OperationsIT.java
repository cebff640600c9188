package io.kubegrade.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.gateway.testing.PlatformIT;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** Health, metrics, the OpenAPI document, and the admin side of challenges with its cache. */
class OperationsIT extends PlatformIT {
  private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  @Test
  void readinessReflectsRedisMongoAndS3() {
    http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.components.redis.status").isEqualTo("UP")
        .jsonPath("$.components.mongo.status").isEqualTo("UP")
        .jsonPath("$.components.s3.status").isEqualTo("UP");
  }

  @Test
  void prometheusHasThePlatformsMetrics() {
    String token = token(newUser());
    String id = submit(token, "counter", "export default function App() { return <p>0</p>; }");
    webSocketEvents(token, id, 0);
    eventually(Duration.ofSeconds(30), () -> {
      String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
          .expectBody(String.class).returnResult().getResponseBody();
      assertThat(metrics).contains("kubegrade_submissions_total", "kubegrade_verdicts_total{status=\"WRONG_ANSWER\"}",
          "kubegrade_queue_depth", "kubegrade_grading_latency_seconds_bucket", "kubegrade_stream_clients{transport=\"websocket\"}");
      return null;
    });
  }

  @Test
  void theOpenApiDocumentDescribesTheApi() {
    http.get().uri("/v3/api-docs").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.paths['/api/v1/submissions'].post").exists()
        .jsonPath("$.paths['/api/v1/submissions/{id}'].get").exists()
        .jsonPath("$.paths['/api/v1/challenges/import'].post").exists();
  }

  @Test
  void adminsWriteChallengesAndEveryoneSeesTheChangeAtOnce() throws Exception {
    String admin = token(newUser(), "admin");
    String learner = token(newUser());
    String original = Files.readString(challenges().resolve("counter/challenge.yaml"));
    String copy = original.replaceFirst("(?m)^id: counter$", "id: counter-copy").replaceFirst("(?m)^title: .*$", "title: Copied counter");

    // A learner cannot write; an admin creates, the list (cached) shows it at once.
    http.get().uri("/api/v1/challenges").exchange().expectStatus().isOk(); // warms the cache
    http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(learner)).contentType(YAML).bodyValue(copy)
        .exchange().expectStatus().isForbidden();
    http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(admin)).contentType(YAML).bodyValue(copy)
        .exchange().expectStatus().isCreated().expectHeader().valueEquals("Location", "/api/v1/challenges/counter-copy");
    http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(admin)).contentType(YAML).bodyValue(copy)
        .exchange().expectStatus().isEqualTo(409);
    http.get().uri("/api/v1/challenges").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[?(@.id == 'counter-copy')].title").isEqualTo("Copied counter");

    // An update is visible through the cache; learners see test names, not steps.
    http.get().uri("/api/v1/challenges/counter-copy").exchange().expectStatus().isOk();
    http.put().uri("/api/v1/challenges/counter-copy").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(copy.replace("title: Copied counter", "title: Renamed counter")).exchange().expectStatus().isOk();
    JsonNode view = http.get().uri("/api/v1/challenges/counter-copy").exchange().expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody();
    assertThat(view.get("title").asText()).isEqualTo("Renamed counter");
    assertThat(view.get("tests").get(0).isTextual()).isTrue();

    // An invalid document lists every problem; bulk import validates all before saving any.
    http.post().uri("/api/v1/challenges").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue("id: Bad Id\ntests: []\n").exchange().expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.errors.length()").value(n -> assertThat((Integer) n).isGreaterThanOrEqualTo(3));
    String second = copy.replace("id: counter-copy", "id: counter-import").replace("title: Copied counter", "title: Imported");
    http.post().uri("/api/v1/challenges/import").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(second + "\n---\nid: broken\n").exchange().expectStatus().isBadRequest();
    http.get().uri("/api/v1/challenges/counter-import").exchange().expectStatus().isNotFound();
    http.post().uri("/api/v1/challenges/import").headers(h -> h.setBearerAuth(admin)).contentType(YAML)
        .bodyValue(second + "\n---\n" + copy).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.imported").isEqualTo(2).jsonPath("$.created").isEqualTo(1);

    http.delete().uri("/api/v1/challenges/counter-copy").headers(h -> h.setBearerAuth(admin)).exchange()
        .expectStatus().isNoContent();
    http.delete().uri("/api/v1/challenges/counter-import").headers(h -> h.setBearerAuth(admin)).exchange()
        .expectStatus().isNoContent();
    http.get().uri("/api/v1/challenges/counter-copy").exchange().expectStatus().isNotFound()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
  }
}
