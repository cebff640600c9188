package io.kubegrade.gateway.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Every error that leaves the gateway over HTTP, from a controller, a filter or the framework, is
 * an RFC 9457 problem ({@code application/problem+json}); internals (stack traces, exception
 * messages of unexpected failures) are logged, never sent.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

  private final ObjectMapper mapper;

  public ProblemExceptionHandler(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(error);
    }
    String down = unavailableService(error);
    if (down != null) {
      error = ApiProblem.unavailable(down, RETRY_AFTER_UNAVAILABLE);
    }
    ProblemDetail problem = toProblem(error);
    if (error instanceof ErrorResponse er) {
      response.getHeaders().putAll(er.getHeaders());
    }
    problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
    response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
    response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    byte[] body = write(problem);
    DataBuffer buffer = response.bufferFactory().wrap(body);
    return response.writeWith(Mono.just(buffer));
  }

  /** What a client is told to wait when a backing service does not answer. */
  static final Duration RETRY_AFTER_UNAVAILABLE = Duration.ofSeconds(5);

  /**
   * The backing service that did not answer (could not connect, timed out), if that is what
   * {@code error} is: Redis, MongoDB or S3. Other failures of theirs (a refused command, a denied
   * request) stay internal errors.
   */
  static String unavailableService(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisConnectionException || t instanceof RedisCommandTimeoutException) {
        return "Redis";
      }
      if (t instanceof MongoSocketException || t instanceof MongoTimeoutException) {
        return "MongoDB";
      }
      if (t instanceof SdkClientException) {
        return "object storage (S3)";
      }
    }
    return null;
  }

  static ProblemDetail toProblem(Throwable error) {
    Throwable root = unwrap(error);
    if (root instanceof DataBufferLimitException) {
      ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, "the request body is too large");
      p.setTitle("Request too large");
      return p;
    }
    if (error instanceof WebExchangeBindException bind) {
      ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, bind.getFieldErrors().stream()
          .map(f -> f.getField() + ": " + f.getDefaultMessage()).sorted().reduce((a, b) -> a + "; " + b)
          .orElse("the request is invalid"));
      p.setTitle("Invalid request");
      return p;
    }
    if (error instanceof ServerWebInputException input) {
      String detail = root instanceof DecodingException || input.getCause() != null
          ? "the request body is not valid JSON for this operation" : input.getReason();
      ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
      p.setTitle("Malformed request");
      return p;
    }
    if (error instanceof ErrorResponse er) {
      ProblemDetail body = er.getBody();
      ProblemDetail p = ProblemDetail.forStatus(er.getStatusCode());
      p.setType(body.getType());
      p.setTitle(body.getTitle());
      p.setDetail(body.getDetail());
      if (body.getProperties() != null) {
        body.getProperties().forEach(p::setProperty);
      }
      return p;
    }
    log.error("unexpected failure", error);
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "the gateway failed to handle this request; it has been logged");
    p.setTitle("Internal error");
    return p;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof DataBufferLimitException) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }

  /** A problem as the JSON document every error response carries. */
  public byte[] write(ProblemDetail problem) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", problem.getType().toString());
    json.put("title", problem.getTitle());
    json.put("status", problem.getStatus());
    if (problem.getDetail() != null) {
      json.put("detail", problem.getDetail());
    }
    if (problem.getInstance() != null) {
      json.put("instance", problem.getInstance().toString());
    }
    if (problem.getProperties() != null) {
      json.putAll(problem.getProperties());
    }
    try {
      return mapper.writeValueAsBytes(json);
    } catch (Exception e) {
      return ("{\"title\":\"Internal error\",\"status\":" + problem.getStatus() + "}").getBytes(StandardCharsets.UTF_8);
    }
  }
}
