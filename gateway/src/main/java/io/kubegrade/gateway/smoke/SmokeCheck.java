package io.kubegrade.gateway.smoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubegrade.api.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * {@code kubegrade-gateway smoke}: submits a known-good solution to a running gateway, follows its
 * events and exits 0 only when the verdict is ACCEPTED. The Helm chart's {@code helm test} hook
 * runs it; it is also a quick check after any install. No Spring: a plain HTTP client.
 */
public final class SmokeCheck {
  /** A correct answer to the catalogue's "counter" challenge. */
  static final String COUNTER_SOLUTION = """
      function App() {
        const [count, setCount] = React.useState(0);
        return (
          <div>
            <p id="count">{count}</p>
            <button onClick={() => setCount(count + 1)}>Increment</button>
          </div>
        );
      }
      """;

  private SmokeCheck() {}

  public static int run(Map<String, String> env, PrintStream out) {
    String base = env.getOrDefault("KUBEGRADE_URL", "http://127.0.0.1:8080").replaceAll("/+$", "");
    String secret = env.get("KUBEGRADE_SECURITY_HMACSECRET");
    Duration timeout = Duration.ofSeconds(Long.parseLong(env.getOrDefault("KUBEGRADE_SMOKE_TIMEOUT_SECONDS", "300")));
    if (secret == null || secret.isBlank()) {
      out.println("smoke: KUBEGRADE_SECURITY_HMACSECRET is not set");
      return 2;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      String token = token(secret, env.get("KUBEGRADE_SECURITY_ISSUER"));
      String body = Json.mapper().writeValueAsString(Map.of("challengeId", "counter", "source", COUNTER_SOLUTION));
      HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (accepted.statusCode() != 202) {
        out.println("smoke: POST /api/v1/submissions answered " + accepted.statusCode() + ": " + accepted.body());
        return 1;
      }
      String id = Json.mapper().readTree(accepted.body()).get("id").asText();
      out.println("smoke: submitted " + id + "; following its events");
      HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(
              URI.create(base + "/api/v1/submissions/" + id + "/events"))
          .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      Instant deadline = Instant.now().plus(timeout);
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null && Instant.now().isBefore(deadline); line = lines.readLine()) {
          if (!line.startsWith("data:")) {
            continue;
          }
          JsonNode event = Json.mapper().readTree(line.substring(5).trim());
          out.println("smoke: " + event.path("seq").asText() + " " + event.path("type").asText());
          if ("VERDICT".equals(event.path("type").asText())) {
            String status = event.path("verdict").path("status").asText();
            out.println("smoke: verdict " + status + " " + event.path("verdict").path("passed").asText() + "/"
                + event.path("verdict").path("total").asText());
            return "ACCEPTED".equals(status) ? 0 : 1;
          }
        }
      }
      out.println("smoke: no verdict within " + timeout.toSeconds() + "s");
      return 1;
    } catch (Exception e) {
      out.println("smoke: " + e);
      return 1;
    }
  }

  static String token(String secret, String issuer) throws JOSEException {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("kubegrade-smoke-check")
        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(900))).claim("roles", List.of());
    if (issuer != null && !issuer.isBlank()) {
      claims.issuer(issuer);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(io.kubegrade.gateway.security.SecurityConfiguration.hmacKey(secret)));
    return jwt.serialize();
  }
}
