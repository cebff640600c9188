package io.kubegrade.gateway.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.kubegrade.gateway.testing.GatewayInstances;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Tokens from an identity provider's key set (a JWKS URL), as in a cluster; no local tokens. */
class JwksAuthenticationIT {
  private static HttpServer identityProvider;
  private static RSAKey key;
  private static GatewayInstances gateways;
  private static WebTestClient http;

  @BeforeAll
  static void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    identityProvider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    identityProvider.createContext("/jwks.json", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    identityProvider.start();
    gateways = new GatewayInstances("jwks-it", Map.of(
        "kubegrade.security.jwks-url", "http://127.0.0.1:" + identityProvider.getAddress().getPort() + "/jwks.json",
        "kubegrade.security.issuer", "https://idp.example.test",
        "kubegrade.security.local-tokens", "false"));
    ConfigurableApplicationContext gateway = gateways.start("jwks-gw");
    http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + GatewayInstances.port(gateway)).build();
  }

  @AfterAll
  static void stop() {
    gateways.close();
    identityProvider.stop(0);
  }

  private static String token(RSAKey signer, String issuer, List<String> roles) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(),
        new JWTClaimsSet.Builder().subject("grace").issuer(issuer).claim("roles", roles)
            .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  @Test
  void aTokenSignedByTheProvidersKeyIsAcceptedAndRolesApply() throws Exception {
    String learner = token(key, "https://idp.example.test", List.of());
    http.get().uri("/api/v1/submissions?mine").headers(h -> h.setBearerAuth(learner)).exchange().expectStatus().isOk();
    http.delete().uri("/api/v1/challenges/counter").headers(h -> h.setBearerAuth(learner)).exchange()
        .expectStatus().isForbidden();
    String admin = token(key, "https://idp.example.test", List.of("admin"));
    http.get().uri("/api/v1/challenges/counter/yaml").headers(h -> h.setBearerAuth(admin)).exchange().expectStatus().isOk();
  }

  @Test
  void anyOtherKeyOrIssuerIsRejectedAndLocalTokensAreOff() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    String forged = token(stranger, "https://idp.example.test", List.of());
    String otherIssuer = token(key, "https://elsewhere.test", List.of());
    http.get().uri("/api/v1/submissions?mine").headers(h -> h.setBearerAuth(forged)).exchange().expectStatus().isUnauthorized();
    http.get().uri("/api/v1/submissions?mine").headers(h -> h.setBearerAuth(otherIssuer)).exchange().expectStatus().isUnauthorized();
    http.post().uri("/api/v1/local/token").bodyValue(Map.of("user", "mallory")).exchange().expectStatus().isNotFound();
  }
}
