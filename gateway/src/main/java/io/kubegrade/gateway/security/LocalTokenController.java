package io.kubegrade.gateway.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.openapi.ApiContract;
import io.kubegrade.gateway.problem.ApiProblem;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Local mode only ({@code kubegrade.security.local-tokens=true}): signs a token for any user name,
 * so the playground and curl work without an identity provider. Never enable it in a cluster.
 */
@RestController
@RequestMapping("/api/v1/local/token")
@ConditionalOnProperty(name = "kubegrade.security.local-tokens", havingValue = "true")
public class LocalTokenController {
  private final GatewayProperties.Security settings;

  public LocalTokenController(GatewayProperties properties) {
    this.settings = properties.security();
    if (settings.hmacSecret() == null) {
      throw new IllegalStateException("local tokens need kubegrade.security.hmac-secret");
    }
  }

  public record TokenRequest(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
      message = "1-64 letters, digits, '.', '_' or '-'") String user, List<String> roles) {}

  public record TokenResponse(String token, String tokenType, Instant expiresAt) {}

  @ApiContract(open = true, problems = HttpStatus.BAD_REQUEST)
  @PostMapping
  public Mono<TokenResponse> issue(@Valid @RequestBody TokenRequest request) {
    Instant now = Instant.now();
    Instant expires = now.plus(settings.localTokenTtl());
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(request.user())
        .issueTime(Date.from(now)).expirationTime(Date.from(expires))
        .claim(settings.rolesClaim(), request.roles() == null ? List.of() : request.roles());
    if (settings.issuer() != null && !settings.issuer().isBlank()) {
      claims.issuer(settings.issuer());
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(SecurityConfiguration.hmacKey(settings.hmacSecret())));
    } catch (JOSEException e) {
      return Mono.error(ApiProblem.badRequest("cannot sign: " + e.getMessage()));
    }
    return Mono.just(new TokenResponse(jwt.serialize(), "Bearer", expires));
  }
}
