package io.kubegrade.gateway.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * The OpenAPI document at {@code /v3/api-docs}: title and version, the bearer scheme, the RFC 9457
 * problem schema, and for each operation what its {@link ApiContract} says it answers - so a client
 * generated from it knows every status and that every error is {@code application/problem+json}.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {
  static final String BEARER = "bearer";
  static final String PROBLEM = "Problem";
  static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

  @Bean
  OpenAPI kubegradeOpenApi() {
    return new OpenAPI()
        .info(new Info().title("kubegrade gateway API").version("1")
            .description("Submit React solutions for grading in a real browser, follow their events, read verdicts"
                + " (docs/gateway.md). Live events also stream over WebSocket and RSocket, which OpenAPI does not"
                + " describe: docs/events.md.")
            .license(new License().name("Apache-2.0")))
        .components(new Components()
            .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .bearerFormat("JWT").description("a JWT whose subject is the user; the roles claim may hold 'admin'"))
            .addSchemas(PROBLEM, problemSchema()))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }

  /** RFC 9457: the members every problem has; a problem may carry more (e.g. {@code service}, {@code errors}). */
  static Schema<?> problemSchema() {
    Schema<?> problem = new ObjectSchema()
        .description("An RFC 9457 problem document")
        .addProperty("type", new StringSchema().format("uri").description("what kind of problem; about:blank when only the status says"))
        .addProperty("title", new StringSchema())
        .addProperty("status", new IntegerSchema())
        .addProperty("detail", new StringSchema().description("for people: what went wrong with this request"))
        .addProperty("instance", new StringSchema().description("the path of the request"));
    problem.setRequired(List.of("title", "status"));
    problem.setAdditionalProperties(true);
    return problem;
  }

  @Bean
  OperationCustomizer apiContracts() {
    return (operation, handler) -> {
      ApiContract contract = handler.getMethodAnnotation(ApiContract.class);
      if (contract != null) {
        apply(contract, operation);
      }
      return operation;
    };
  }

  static void apply(ApiContract contract, Operation operation) {
    ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
    ApiResponse generated = responses.remove("200");
    ApiResponse success = generated != null ? generated : new ApiResponse();
    success.setDescription(contract.success().getReasonPhrase());
    if (contract.success() == HttpStatus.NO_CONTENT) {
      success.setContent(null);
    }
    responses.addApiResponse(String.valueOf(contract.success().value()), success);
    for (HttpStatus also : contract.alsoSuccess()) {
      responses.addApiResponse(String.valueOf(also.value()),
          new ApiResponse().description(also.getReasonPhrase()).content(success.getContent()));
    }
    Set<HttpStatus> problems = new LinkedHashSet<>(List.of(contract.problems()));
    if (!contract.open()) {
      problems.add(HttpStatus.UNAUTHORIZED);
    }
    problems.add(HttpStatus.FORBIDDEN);
    problems.add(HttpStatus.SERVICE_UNAVAILABLE);
    problems.stream().sorted().forEach(status -> responses.addApiResponse(String.valueOf(status.value()),
        new ApiResponse().description(describe(status, contract))
            .content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))))));
    operation.setResponses(responses);
    if (contract.open()) {
      operation.setSecurity(List.of()); // no token needed
    }
  }

  private static String describe(HttpStatus status, ApiContract contract) {
    return switch (status) {
      case UNAUTHORIZED -> "no bearer token, or one that does not verify";
      case FORBIDDEN -> List.of(contract.problems()).contains(HttpStatus.FORBIDDEN)
          ? "needs the admin role; or a page on an origin not allowed (kubegrade.cors)"
          : "a page on an origin not allowed (kubegrade.cors)";
      case SERVICE_UNAVAILABLE -> "Redis, MongoDB or S3 did not answer (Retry-After), or the gateway is shutting down";
      case NOT_FOUND -> "no such resource, or someone else's";
      case TOO_MANY_REQUESTS -> "over the per-user submission rate (Retry-After)";
      case PAYLOAD_TOO_LARGE -> "the body or the source is over its limit";
      case CONFLICT -> "it exists already";
      default -> status.getReasonPhrase();
    };
  }
}
