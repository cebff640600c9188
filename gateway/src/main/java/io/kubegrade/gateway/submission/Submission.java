package io.kubegrade.gateway.submission;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kubegrade.api.event.Verdict;
import java.time.Instant;

/** A stored submission, as the API shows it (the verdict without its screenshot). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Submission(
    String id,
    String user,
    String challengeId,
    SubmissionStatus status,
    Instant createdAt,
    Instant finishedAt,
    long sourceBytes,
    boolean hasScreenshot,
    Verdict verdict) {

  public Submission withStatus(SubmissionStatus newStatus) {
    return new Submission(id, user, challengeId, newStatus, createdAt, finishedAt, sourceBytes, hasScreenshot, verdict);
  }
}
