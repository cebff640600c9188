package io.kubegrade.gateway.security;

import io.kubegrade.gateway.GatewayProperties;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Which browser pages may call the gateway (kubegrade.cors): pages of the gateway's own origin
 * always (the playground), pages of the configured origins, and no other. One rule for every
 * transport: HTTP and SSE ({@link CrossOriginFilter}), the events WebSocket (its handshake passes
 * the same filter) and RSocket over WebSocket ({@link CrossOriginRSocketRoute}).
 */
public final class CrossOriginPolicy {
  /** What the API takes from other origins: its methods, and the headers its clients send. */
  static final List<String> METHODS = List.of(HttpMethod.GET.name(), HttpMethod.POST.name(), HttpMethod.PUT.name(),
      HttpMethod.DELETE.name());
  static final List<String> REQUEST_HEADERS = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE,
      HttpHeaders.ACCEPT, "Last-Event-ID");
  /** Response headers a page may read beyond the safelisted ones: where a submission is, when to retry. */
  static final List<String> EXPOSED_HEADERS = List.of(HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER);

  /** How a request's origin stands. */
  public enum Standing { SAME_ORIGIN, ALLOWED, REFUSED }

  private final CorsConfiguration configuration;

  public CrossOriginPolicy(GatewayProperties.Cors cors) {
    CorsConfiguration c = new CorsConfiguration();
    c.setAllowedOriginPatterns(cors.allowedOrigins());
    c.setAllowedMethods(METHODS);
    c.setAllowedHeaders(REQUEST_HEADERS);
    c.setExposedHeaders(EXPOSED_HEADERS);
    c.setAllowCredentials(false);
    c.setMaxAge(cors.maxAge());
    this.configuration = c;
  }

  /** The configuration Spring's CORS processor applies to an allowed origin's requests. */
  CorsConfiguration configuration() {
    return configuration;
  }

  /**
   * How a request from a page at {@code origin} (its Origin header) to the gateway reached as
   * {@code host} (its Host header) stands. The same host and port is the same origin whatever the
   * scheme: behind an ingress that ends TLS the gateway sees http for the page's https.
   */
  public Standing of(String origin, String host) {
    if (sameOrigin(origin, host)) {
      return Standing.SAME_ORIGIN;
    }
    return configuration.checkOrigin(origin) != null ? Standing.ALLOWED : Standing.REFUSED;
  }

  static boolean sameOrigin(String origin, String host) {
    if (origin == null || host == null || host.isBlank()) {
      return false;
    }
    try {
      URI page = URI.create(origin);
      if (page.getScheme() == null || page.getHost() == null) {
        return false; // "null" (a sandboxed frame, a file), or not an origin at all
      }
      UriComponents reached = UriComponentsBuilder.fromUriString("http://" + host).build();
      if (reached.getHost() == null || !reached.getHost().toLowerCase(Locale.ROOT).equals(page.getHost().toLowerCase(Locale.ROOT))) {
        return false;
      }
      int pagePort = page.getPort() != -1 ? page.getPort() : defaultPort(page.getScheme());
      return reached.getPort() != -1 ? reached.getPort() == pagePort : pagePort == defaultPort(page.getScheme());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int defaultPort(String scheme) {
    return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
