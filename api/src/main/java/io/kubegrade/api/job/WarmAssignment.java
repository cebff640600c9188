package io.kubegrade.api.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;

/**
 * The one job a warm runner pod is given (RedisLayout.ASSIGN_WARM): what a pod created for the job
 * would find in its environment (RunnerContract) - the submission, its attempt and capability, the
 * challenge document and a presigned URL of the source - and nothing about any other job.
 */
public record WarmAssignment(String submissionId, long attempt, String attemptToken, String challenge, String sourceUrl) {

  public WarmAssignment {
    if (submissionId == null || submissionId.isBlank() || attempt < 1 || attemptToken == null || attemptToken.isBlank()
        || challenge == null || sourceUrl == null) {
      throw new IllegalArgumentException("a warm assignment needs a submission id, an attempt from 1 and its token,"
          + " a challenge and a source URL");
    }
  }

  public static WarmAssignment of(Attempt attempt, String challenge, String sourceUrl) {
    return new WarmAssignment(attempt.submissionId(), attempt.number(), attempt.token(), challenge, sourceUrl);
  }

  public Attempt toAttempt() {
    return new Attempt(submissionId, attempt, attemptToken);
  }

  public String toJson() {
    try {
      return Json.mapper().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static WarmAssignment fromJson(String json) {
    try {
      return Json.mapper().readValue(json, WarmAssignment.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a warm assignment: " + e.getOriginalMessage());
    }
  }

  /** Never the token or the URL: assignments get logged. */
  @Override
  public String toString() {
    return "assignment of attempt " + attempt + " of " + submissionId;
  }
}
