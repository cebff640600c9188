package io.kubegrade.api.gradingjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What is true about a job: {@code observedGeneration} and standard conditions (docs/crd.md), the
 * phase for humans and printer columns, the current pod, attempts, times, and the verdict in brief.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GradingJobStatus(
    Long observedGeneration,
    GradingJobPhase phase,
    List<Condition> conditions,
    @JsonPropertyDescription("The runner pod of the current attempt.") String podName,
    @JsonPropertyDescription("Whether that pod was a warm one: started before the job came, with its browser ready.") Boolean podWarm,
    @JsonPropertyDescription("Runner pods created so far (retries after infrastructure failures included).") Integer attempts,
    @JsonPropertyDescription("When the job was admitted and its first pod created.") String admissionTime,
    @JsonPropertyDescription("When the runner container of the current attempt started.") String startTime,
    String completionTime,
    VerdictSummary verdict) {

  /** The verdict in brief: status, passed/total as "3/4", and how long grading took. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VerdictSummary(String status, Integer passed, Integer total, String tests, Long durationMs,
      String duration, @JsonPropertyDescription("Why, for verdicts other than ACCEPTED and WRONG_ANSWER.") String message) {}
}
