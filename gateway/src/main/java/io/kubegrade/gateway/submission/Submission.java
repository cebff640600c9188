package io.kubegrade.gateway.submission;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kubegrade.api.event.GradingEvent;
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

  /**
   * As it will be once its terminal event is recorded: what the API answers when a client has
   * seen the verdict on a stream before MongoDB has it (the recorder is a moment behind).
   */
  public Submission concludedBy(GradingEvent terminal) {
    Verdict v = terminal.verdict();
    return new Submission(id, user, challengeId, SubmissionStatus.valueOf(v.status().name()), createdAt,
        terminal.at() != null ? terminal.at() : finishedAt, sourceBytes, hasScreenshot || v.screenshot() != null,
        v.withoutScreenshot());
  }

  public Submission withStatus(SubmissionStatus newStatus) {
    return new Submission(id, user, challengeId, newStatus, createdAt, finishedAt, sourceBytes, hasScreenshot, verdict);
  }
}
