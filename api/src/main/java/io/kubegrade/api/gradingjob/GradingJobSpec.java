package io.kubegrade.api.gradingjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * What to grade. Only references and the challenge snapshot live in etcd: the source stays in S3
 * and credentials in Secrets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GradingJobSpec(
    @Required @JsonPropertyDescription("The submission this job grades; its events are published under this id.")
    String submissionId,
    @Required ChallengeSnapshot challenge,
    @Required SourceLocation source,
    @JsonPropertyDescription("Limits of the runner pod; the operator's defaults fill what is left out.")
    JobLimits limits,
    @Required @JsonPropertyDescription("The user who submitted; admission shares runner pods fairly between users.")
    String owner,
    @JsonPropertyDescription("When the user submitted (RFC 3339, sub-second): a user's jobs are admitted in this order.")
    String submittedAt) {

  /** Without a submission time: the job's creation time orders it (to the second). */
  public GradingJobSpec(String submissionId, ChallengeSnapshot challenge, SourceLocation source, JobLimits limits, String owner) {
    this(submissionId, challenge, source, limits, owner, null);
  }

  /** The challenge's id, and the challenge as it was when the submission was accepted. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ChallengeSnapshot(
      @Required @JsonPropertyDescription("The challenge's id.") String id,
      @Required @JsonPropertyDescription("The challenge document (JSON, docs/challenge-format.md) the runner grades against; "
          + "a snapshot, so editing the challenge never changes how an accepted submission is graded.")
      String document) {}

  /** Where the source is: an S3 object the operator presigns for the runner. */
  public record SourceLocation(
      @Required @JsonPropertyDescription("S3 bucket.") String bucket,
      @Required @JsonPropertyDescription("S3 object key.") String key) {}

  /** Pod limits: the whole run's deadline (activeDeadlineSeconds), and memory and CPU as quantities. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record JobLimits(
      @Min(1) @JsonPropertyDescription("The runner pod's activeDeadlineSeconds.") Long timeoutSeconds,
      @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|k|M|G)?$") @JsonPropertyDescription("Memory request and limit, e.g. 1Gi.") String memory,
      @Pattern("^[0-9]+(\\.[0-9]+)?m?$") @JsonPropertyDescription("CPU limit, e.g. 1 or 500m.") String cpu) {}
}
