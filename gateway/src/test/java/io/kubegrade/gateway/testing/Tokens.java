package io.kubegrade.gateway.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Tokens a test makes itself: valid ones with a chosen expiry, and the kinds an attacker tries. */
public final class Tokens {
  private Tokens() {}

  /** Signed with {@code secret} (the gateway's, or another), for {@code user}, expiring at {@code expires}. */
  public static String signed(String secret, String user, Instant expires, String... roles) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(user, expires, roles));
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** A well-formed token, valid for a minute, signed with a secret that is not the gateway's. */
  public static String forged(String user) {
    return signed("another-secret-that-is-32-bytes-long!!", user, Instant.now().plusSeconds(60), "admin");
  }

  /** The same claims with no signature at all ({@code "alg": "none"}). */
  public static String unsigned(String user) {
    return new PlainJWT(claims(user, Instant.now().plusSeconds(60), "admin")).serialize();
  }

  private static JWTClaimsSet claims(String user, Instant expires, String... roles) {
    return new JWTClaimsSet.Builder().subject(user).issueTime(new Date())
        .expirationTime(Date.from(expires)).claim("roles", List.of(roles)).build();
  }
}
