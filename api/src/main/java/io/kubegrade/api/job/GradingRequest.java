package io.kubegrade.api.job;

import io.kubegrade.api.challenge.Challenge;

/**
 * What a runner needs to grade one submission. {@code firstSeq} is the sequence number of the
 * runner's first event (2 when the dispatcher already published QUEUED as 1).
 */
public record GradingRequest(String submissionId, Challenge challenge, String source, long firstSeq) {

  public GradingRequest {
    if (submissionId == null || submissionId.isBlank()) {
      throw new IllegalArgumentException("submissionId is required");
    }
    if (challenge == null) {
      throw new IllegalArgumentException("challenge is required");
    }
    if (source == null) {
      throw new IllegalArgumentException("source is required");
    }
    if (firstSeq < 1) {
      throw new IllegalArgumentException("firstSeq starts at 1");
    }
  }
}
