package io.kubegrade.api.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import java.util.Map;

/**
 * A grading job as the fields of one Redis stream entry: who writes it (the gateway's queue
 * dispatch) and who reads it (a runner's queue worker) agree here. The challenge travels as a
 * snapshot, so editing a challenge never changes how an already accepted submission is graded.
 */
public final class QueuedJob {
  public static final String SUBMISSION_ID = "submissionId";
  public static final String CHALLENGE = "challenge";
  public static final String SOURCE = "source";

  private QueuedJob() {}

  public static Map<String, String> fields(String submissionId, Challenge challenge, String source) {
    try {
      return Map.of(SUBMISSION_ID, submissionId, CHALLENGE, Json.mapper().writeValueAsString(challenge), SOURCE, source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a challenge always serialises", e);
    }
  }

  /** The request to grade; its {@code firstSeq} is 2, the worker continues from what Redis holds. */
  public static GradingRequest parse(Map<String, String> fields) {
    String id = fields.get(SUBMISSION_ID);
    String challenge = fields.get(CHALLENGE);
    String source = fields.get(SOURCE);
    if (id == null || challenge == null || source == null) {
      throw new IllegalArgumentException("a job needs submissionId, challenge and source, got " + fields.keySet());
    }
    try {
      return new GradingRequest(id, Json.mapper().readValue(challenge, Challenge.class), source, 2);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the job's challenge is not valid: " + e.getOriginalMessage(), e);
    }
  }
}
