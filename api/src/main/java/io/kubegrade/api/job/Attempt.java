package io.kubegrade.api.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One attempt at grading a submission, and its capability: whoever begins an attempt (the gateway
 * for a queued job, the operator for a runner pod) makes a fresh unguessable token, records its
 * hash with RedisLayout.BEGIN_ATTEMPT - which fences every earlier attempt - and hands the token to
 * the runner of this attempt only. Events a runner reports are accepted into the submission's log
 * only with the token of the attempt that is current.
 */
public record Attempt(String submissionId, long number, String token) {
  private static final SecureRandom RANDOM = new SecureRandom();

  public Attempt {
    if (number < 1) {
      throw new IllegalArgumentException("attempts are numbered from 1");
    }
  }

  /** Attempt {@code number} with a fresh 128-bit token. */
  public static Attempt begin(String submissionId, long number) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return new Attempt(submissionId, number, HexFormat.of().formatHex(b));
  }

  /** The token's SHA-1 in hex: what RedisLayout.BEGIN_ATTEMPT keeps and APPEND_EVENT compares. */
  public String tokenHash() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** Never the token: attempts get logged. */
  @Override
  public String toString() {
    return "attempt " + number + " of " + submissionId;
  }
}
