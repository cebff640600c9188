package io.kubegrade.gateway.security;

import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.problem.ProblemExceptionHandler;
import java.net.URI;
import org.springframework.boot.web.embedded.netty.NettyRouteProvider;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The {@link CrossOriginPolicy} for RSocket over WebSocket. Spring Boot serves that path with a
 * route of the HTTP server itself, ahead of WebFlux and its filters, so this route goes ahead of
 * Boot's and answers a handshake from a refused origin with the same 403 problem as
 * {@link CrossOriginFilter}. (A WebSocket is not read-protected by CORS: there is nothing to add
 * for an allowed origin.)
 */
final class CrossOriginRSocketRoute implements NettyRouteProvider, Ordered {
  private final CrossOriginPolicy policy;
  private final ProblemExceptionHandler problems;
  private final String path;

  CrossOriginRSocketRoute(CrossOriginPolicy policy, ProblemExceptionHandler problems, String path) {
    this.policy = policy;
    this.problems = problems;
    this.path = path;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE; // Boot's RSocket route is unordered: last
  }

  @Override
  public HttpServerRoutes apply(HttpServerRoutes routes) {
    return routes.route(this::refused, (request, response) -> {
      String origin = request.requestHeaders().get(HttpHeaders.ORIGIN);
      ProblemDetail problem = ApiProblem.originNotAllowed(origin).getBody();
      problem.setInstance(URI.create(path));
      return response.status(problem.getStatus())
          .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE)
          .sendByteArray(Mono.just(problems.write(problem)));
    });
  }

  /** The path of a request URI as sent ({@code /rsocket?x=1} -> {@code /rsocket}). */
  static String pathOf(String uri) {
    int end = uri.indexOf('?');
    String path = end < 0 ? uri : uri.substring(0, end);
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private boolean refused(HttpServerRequest request) {
    String origin = request.requestHeaders().get(HttpHeaders.ORIGIN);
    return origin != null && path.equals(pathOf(request.uri()))
        && policy.of(origin, request.requestHeaders().get(HttpHeaders.HOST)) == CrossOriginPolicy.Standing.REFUSED;
  }
}
