package io.kubegrade.gateway.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.problem.ProblemExceptionHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Bearer JWTs, verified with an HMAC secret or a JWKS URL. The subject is the user; the
 * {@code roles} claim (configurable) gives roles, {@code admin} may write challenges. Browsers
 * cannot set headers on WebSocket or EventSource, so the token may also come as
 * {@code ?access_token=}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

  @Bean
  ReactiveJwtDecoder jwtDecoder(GatewayProperties properties, MeterRegistry meters) {
    GatewayProperties.Security security = properties.security();
    NimbusReactiveJwtDecoder decoder;
    if (security.jwksUrl() != null) {
      decoder = NimbusReactiveJwtDecoder.withJwkSetUri(security.jwksUrl().toString()).build();
    } else if (security.hmacSecret() != null && security.hmacSecret().getBytes(StandardCharsets.UTF_8).length >= 32) {
      decoder = NimbusReactiveJwtDecoder.withSecretKey(hmacKey(security.hmacSecret()))
          .macAlgorithm(MacAlgorithm.HS256).build();
    } else {
      throw new IllegalStateException("kubegrade.security needs jwks-url or an hmac-secret of at least 32 bytes");
    }
    // Expiry and not-before, with the configured allowance for clocks that disagree; the issuer when set.
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(List.of(new JwtTimestampValidator(security.clockSkew())));
    if (security.issuer() != null && !security.issuer().isBlank()) {
      validators.add(new JwtIssuerValidator(security.issuer()));
    }
    decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
    return timed(decoder, meters);
  }

  /** Every bearer-token check (signature, claims, expiry) as the timer {@code kubegrade.token.checks}. */
  static ReactiveJwtDecoder timed(ReactiveJwtDecoder decoder, MeterRegistry meters) {
    Timer valid = Timer.builder("kubegrade.token.checks").description("Bearer token checks").tag("outcome", "valid")
        .register(meters);
    Timer refused = Timer.builder("kubegrade.token.checks").description("Bearer token checks").tag("outcome", "refused")
        .register(meters);
    return token -> Mono.defer(() -> {
      long start = System.nanoTime();
      return decoder.decode(token)
          .doOnSuccess(jwt -> valid.record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
          .doOnError(e -> refused.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    });
  }

  public static SecretKeySpec hmacKey(String secret) {
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  @Bean
  SecurityWebFilterChain securityFilterChain(ServerHttpSecurity http, GatewayProperties properties,
      ObjectMapper mapper) {
    ServerBearerTokenAuthenticationConverter bearer = new ServerBearerTokenAuthenticationConverter();
    bearer.setAllowUriQueryParameter(true);
    JwtAuthenticationConverter roles = new JwtAuthenticationConverter();
    roles.setJwtGrantedAuthoritiesConverter(jwt -> authoritiesOf(jwt, properties.security().rolesClaim()));
    ProblemExceptionHandler problems = new ProblemExceptionHandler(mapper);
    return http
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .authorizeExchange(auth -> auth
            .pathMatchers(HttpMethod.GET, "/", "/index.html", "/playground/**", "/favicon.ico").permitAll()
            .pathMatchers("/actuator/health/**", "/actuator/prometheus", "/actuator/info").permitAll()
            .pathMatchers("/v3/api-docs/**", "/rsocket").permitAll()
            .pathMatchers(HttpMethod.POST, "/api/v1/local/token").permitAll()
            .pathMatchers(HttpMethod.GET, "/api/v1/challenges", "/api/v1/challenges/*").permitAll()
            .pathMatchers("/api/v1/challenges/**").hasRole("admin")
            .anyExchange().authenticated())
        .oauth2ResourceServer(rs -> rs
            .bearerTokenConverter(bearer)
            .jwt(jwt -> jwt.jwtAuthenticationConverter(new ReactiveJwtAuthenticationConverterAdapter(roles)))
            .authenticationEntryPoint((exchange, e) -> problems.handle(exchange,
                new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a valid bearer token is required")))
            .accessDeniedHandler((exchange, e) -> problems.handle(exchange,
                new ResponseStatusException(HttpStatus.FORBIDDEN, "this needs the admin role"))))
        .exceptionHandling(ex -> ex
            .authenticationEntryPoint((exchange, e) -> problems.handle(exchange,
                new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a valid bearer token is required")))
            .accessDeniedHandler((exchange, e) -> problems.handle(exchange,
                new ResponseStatusException(HttpStatus.FORBIDDEN, "this needs the admin role"))))
        .build();
  }

  public static Collection<GrantedAuthority> authoritiesOf(Jwt jwt, String claim) {
    Object value = jwt.getClaims().get(claim);
    List<String> names = value instanceof Collection<?> c ? c.stream().map(String::valueOf).toList()
        : value instanceof String s ? List.of(s.split("[ ,]+")) : List.of();
    return names.stream().filter(n -> !n.isBlank()).<GrantedAuthority>map(n -> new SimpleGrantedAuthority("ROLE_" + n)).toList();
  }
}
