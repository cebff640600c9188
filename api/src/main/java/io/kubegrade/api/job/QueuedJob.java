package io.kubegrade.api.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import java.util.Map;

/**
 * A grading job as the fields of one Redis stream entry: who writes it (the gateway's queue
 * dispatch) and who reads it (a runner's queue worker) agree here. The challenge travels as a
 * snapshot, so editing a challenge never changes how an already accepted submission is graded.
 * Each entry is one attempt: the gateway begins it (RedisLayout.BEGIN_ATTEMPT) and puts its
 * capability in the entry; a job taken over from a lost worker is a new entry and a new attempt.
 */
public record QueuedJob(GradingRequest request, Attempt attempt) {
  public static final String SUBMISSION_ID = "submissionId";
  public static final String CHALLENGE = "challenge";
  public static final String SOURCE = "source";
  public static final String ATTEMPT = "attempt";
  public static final String TOKEN = "token";

  public static Map<String, String> fields(Challenge challenge, String source, Attempt attempt) {
    try {
      return Map.of(SUBMISSION_ID, attempt.submissionId(), CHALLENGE, Json.mapper().writeValueAsString(challenge),
          SOURCE, source, ATTEMPT, String.valueOf(attempt.number()), TOKEN, attempt.token());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a challenge always serialises", e);
    }
  }

  /** The job; its runner numbers its own events from 1 (the event log gives them their seq). */
  public static QueuedJob parse(Map<String, String> fields) {
    String id = fields.get(SUBMISSION_ID);
    String challenge = fields.get(CHALLENGE);
    String source = fields.get(SOURCE);
    String attempt = fields.get(ATTEMPT);
    String token = fields.get(TOKEN);
    if (id == null || challenge == null || source == null || attempt == null || token == null) {
      throw new IllegalArgumentException("a job needs submissionId, challenge, source, attempt and token, got " + fields.keySet());
    }
    try {
      return new QueuedJob(new GradingRequest(id, Json.mapper().readValue(challenge, Challenge.class), source, 1),
          new Attempt(id, Long.parseLong(attempt), token));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the job's challenge is not valid: " + e.getOriginalMessage(), e);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the job's attempt is not a number: " + attempt);
    }
  }
}
