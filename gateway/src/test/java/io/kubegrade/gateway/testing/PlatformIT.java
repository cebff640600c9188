package io.kubegrade.gateway.testing;

import io.kubegrade.runner.testing.BackingServers;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.GradingEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The whole local platform in one context: the gateway on a random port with an embedded runner
 * (one warm Chromium), real Redis, FerretDB and MinIO, the catalogue imported. Every test class
 * extending this shares the context; tests use fresh user names so they never see each other.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability(tracing = false)
public abstract class PlatformIT {
  public static final String SECRET = "kubegrade-tests-hmac-secret-of-32-bytes-or-more";
  public static final int PER_MINUTE = 8;

  @LocalServerPort
  protected int port;

  @Autowired
  protected WebTestClient http;

  /** The catalogue and buckets are in place: readiness says so. */
  @org.junit.jupiter.api.BeforeEach
  void waitUntilReady() {
    http = http.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    eventually(Duration.ofSeconds(60), () -> {
      http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
      return null;
    });
  }

  @DynamicPropertySource
  static void backingServers(DynamicPropertyRegistry registry) {
    BackingServers servers = BackingServers.shared();
    registry.add("kubegrade.redis.url", servers.redis::url);
    registry.add("kubegrade.mongo.uri", servers::mongoUri);
    registry.add("kubegrade.mongo.database", () -> "platform-it");
    registry.add("kubegrade.s3.endpoint", () -> servers.s3Endpoint().toString());
    registry.add("kubegrade.s3.access-key", () -> BackingServers.S3_USER);
    registry.add("kubegrade.s3.secret-key", () -> BackingServers.S3_PASSWORD);
    registry.add("kubegrade.s3.bucket", () -> "platform-it");
    registry.add("kubegrade.security.hmac-secret", () -> SECRET);
    registry.add("kubegrade.security.local-tokens", () -> "true");
    registry.add("kubegrade.security.clock-skew", () -> "0s"); // AccessControlIT lets tokens expire
    registry.add("kubegrade.runner.embedded-pool-size", () -> "1");
    registry.add("kubegrade.challenges.import-dirs", () -> challenges().toString());
    registry.add("kubegrade.stream.rsocket-tcp-port", () -> "-1");
    registry.add("kubegrade.submissions.per-user-per-minute", () -> String.valueOf(PER_MINUTE));
    registry.add("kubegrade.instance-id", () -> "platform-it");
    // CrossOriginIT: one origin and one pattern; no other test sends an Origin but the playground's page (its own).
    registry.add("kubegrade.cors.allowed-origins", () -> "https://learn.example.com,https://*.school.example");
  }

  public static Path challenges() {
    return Path.of(System.getProperty("kubegrade.challenges", "../challenges"));
  }

  public static String newUser() {
    return "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** A token from the local-mode endpoint, as the playground gets one. */
  protected String token(String user, String... roles) {
    return http.post().uri("/api/v1/local/token").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("user", user, "roles", List.of(roles)))
        .exchange().expectStatus().isOk()
        .expectBody(JsonNode.class).returnResult().getResponseBody().get("token").asText();
  }

  protected String submit(String token, String challengeId, String source) {
    return http.post().uri("/api/v1/submissions").headers(h -> h.setBearerAuth(token))
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("challengeId", challengeId, "source", source))
        .exchange().expectStatus().isAccepted()
        .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asText();
  }

  /** Every event of a submission over WebSocket, until the server closes the stream. */
  protected List<GradingEvent> webSocketEvents(String token, String submissionId, long after) {
    return webSocketFlux(token, submissionId, after).collectList().block(Duration.ofSeconds(60));
  }

  protected Flux<GradingEvent> webSocketFlux(String token, String submissionId, long after) {
    return EventClients.webSocket(port, token, submissionId, after);
  }

  /** Waits (bounded) for a condition that the platform reaches asynchronously. */
  public static <T> T eventually(Duration timeout, Supplier<T> attempt) {
    long deadline = System.nanoTime() + timeout.toNanos();
    AssertionError last = null;
    while (System.nanoTime() < deadline) {
      try {
        return attempt.get();
      } catch (AssertionError e) {
        last = e;
      }
      Mono.delay(Duration.ofMillis(100)).block();
    }
    throw last != null ? last : new AssertionError("timed out");
  }
}
