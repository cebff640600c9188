package io.kubegrade.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.test.StepVerifier;

/** Errors become RFC 9457 problems; unexpected ones say nothing of their internals. */
class ProblemExceptionHandlerTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final ProblemExceptionHandler handler = new ProblemExceptionHandler(mapper);

  private JsonNode handle(Throwable error, MockServerWebExchange exchange) throws Exception {
    StepVerifier.create(handler.handle(exchange, error)).verifyComplete();
    assertThat(exchange.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    return mapper.readTree(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5)));
  }

  private static MockServerWebExchange exchange() {
    return MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/submissions"));
  }

  @Test
  void anUnexpectedFailureIsA500ThatRevealsNothing() throws Exception {
    JsonNode problem = handle(new IllegalStateException("password=hunter2 at com.example.Secret"), exchange());
    assertThat(problem.get("status").asInt()).isEqualTo(500);
    assertThat(problem.toString()).doesNotContain("hunter2").doesNotContain("IllegalStateException");
    assertThat(problem.get("instance").asText()).isEqualTo("/api/v1/submissions");
  }

  @Test
  void anOversizedBodyIs413AndMalformedInputIs400() throws Exception {
    assertThat(handle(new ServerWebInputException("x", null, new DataBufferLimitException("limit 1048576")), exchange())
        .get("status").asInt()).isEqualTo(413);
    assertThat(handle(new ServerWebInputException("Failed to read HTTP message", null,
        new org.springframework.core.codec.DecodingException("JSON decoding error: Unexpected end-of-input")), exchange())
        .get("detail").asText()).isEqualTo("the request body is not valid JSON for this operation");
  }

  @Test
  void anApiProblemKeepsItsTypeAndHeaders() throws Exception {
    MockServerWebExchange exchange = exchange();
    JsonNode problem = handle(ApiProblem.rateLimited(30, Duration.ofSeconds(12)), exchange);
    assertThat(problem.get("type").asText()).isEqualTo("https://kubegrade.io/problems/rate-limited");
    assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(429);
    assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("12");
  }

  @Test
  void aBackingServiceThatDoesNotAnswerIsA503WithRetryAfter() throws Exception {
    var cases = java.util.Map.of(
        new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 10 second(s)"), "Redis",
        new io.lettuce.core.RedisConnectionException("Unable to connect to 127.0.0.1:6390"), "Redis",
        new com.mongodb.MongoTimeoutException("Timed out after 30000 ms while waiting to connect"), "MongoDB",
        software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request: Connection refused"),
        "object storage (S3)");
    for (var c : cases.entrySet()) {
      MockServerWebExchange exchange = exchange();
      JsonNode problem = handle(new RuntimeException("wrapped", c.getKey()), exchange);
      assertThat(problem.get("status").asInt()).isEqualTo(503);
      assertThat(problem.get("service").asText()).isEqualTo(c.getValue());
      assertThat(problem.get("detail").asText()).contains(c.getValue()).contains("retry in 5 s");
      assertThat(problem.toString()).doesNotContain("Exception").doesNotContain("127.0.0.1");
      assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("5");
    }
  }
}
