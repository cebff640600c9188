package io.kubegrade.gateway.security;

import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.problem.ProblemExceptionHandler;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.reactive.CorsProcessor;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The {@link CrossOriginPolicy} for everything the WebFlux handlers serve (HTTP, SSE, the events
 * WebSocket's handshake), ahead of authentication: a request from a refused origin gets a 403
 * problem and goes no further; an allowed origin's preflight is answered here (204), and its
 * requests carry the CORS headers - error responses too, so its pages can read the problem.
 */
final class CrossOriginFilter implements WebFilter, Ordered {
  private final CrossOriginPolicy policy;
  private final ProblemExceptionHandler problems;
  private final CorsProcessor processor = new DefaultCorsProcessor();

  CrossOriginFilter(CrossOriginPolicy policy, ProblemExceptionHandler problems) {
    this.policy = policy;
    this.problems = problems;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE; // before Spring Security's chain
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String origin = request.getHeaders().getOrigin();
    if (origin == null) {
      return chain.filter(exchange); // not a browser page's request (or a same-origin GET)
    }
    return switch (policy.of(origin, request.getHeaders().getFirst(HttpHeaders.HOST))) {
      case SAME_ORIGIN -> chain.filter(exchange);
      case REFUSED -> problems.handle(exchange, ApiProblem.originNotAllowed(origin));
      case ALLOWED -> {
        if (!processor.process(policy.configuration(), exchange)) {
          yield problems.handle(exchange, ApiProblem.preflightRefused(origin));
        }
        if (CorsUtils.isPreFlightRequest(request)) {
          exchange.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
          yield exchange.getResponse().setComplete();
        }
        yield chain.filter(exchange);
      }
    };
  }
}
