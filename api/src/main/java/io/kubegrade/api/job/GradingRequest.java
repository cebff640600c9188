package io.kubegrade.api.job;

import io.kubegrade.api.challenge.Challenge;

/**
 * What a runner needs to grade one submission. {@code firstSeq} numbers the runner's first event
 * in its own count: the submission's log gives every event its seq (RedisLayout.APPEND_EVENT), so
 * a runner counts from 1; the command line's stand-alone stream starts at 2, after its own QUEUED.
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
