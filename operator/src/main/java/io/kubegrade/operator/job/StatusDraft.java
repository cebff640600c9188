package io.kubegrade.operator.job;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.api.gradingjob.GradingJobStatus.VerdictSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The next status of a job, built from the one observed. Conditions keep their transition time
 * while their status stays the same, like every Kubernetes controller's.
 */
final class StatusDraft {
  private final GradingJobStatus before;
  private final long generation;
  private GradingJobPhase phase;
  private final List<Condition> conditions;
  private String podName;
  private Boolean podWarm;
  private int attempts;
  private String admissionTime;
  private String startTime;
  private String completionTime;
  private VerdictSummary verdict;

  private StatusDraft(GradingJob job) {
    GradingJobStatus s = job.getStatus();
    this.before = s;
    this.generation = job.getMetadata().getGeneration() == null ? 1 : job.getMetadata().getGeneration();
    this.phase = job.phase();
    this.conditions = s == null || s.conditions() == null ? new ArrayList<>() : new ArrayList<>(s.conditions());
    if (s != null) {
      podName = s.podName();
      podWarm = s.podWarm();
      attempts = s.attempts() == null ? 0 : s.attempts();
      admissionTime = s.admissionTime();
      startTime = s.startTime();
      completionTime = s.completionTime();
      verdict = s.verdict();
    }
  }

  /** The job's status as observed - with a failed reconciliation marked as past, since this one runs. */
  static StatusDraft of(GradingJob job) {
    StatusDraft draft = new StatusDraft(job);
    draft.conditions.stream()
        .filter(c -> GradingJobLabels.RECONCILED.equals(c.getType()) && "False".equals(c.getStatus()))
        .findFirst()
        .ifPresent(c -> draft.condition(GradingJobLabels.RECONCILED, true, "Recovered", "reconciled again after: "
            + c.getMessage(), Instant.now()));
    return draft;
  }

  boolean isNew() {
    return before == null;
  }

  GradingJobPhase phase() {
    return phase;
  }

  int attempts() {
    return attempts;
  }

  String podName() {
    return podName;
  }

  String startTime() {
    return startTime;
  }

  StatusDraft phase(GradingJobPhase p) {
    this.phase = p;
    return this;
  }

  StatusDraft pod(String name, int attempt, boolean warm, Instant now) {
    this.podName = name;
    this.podWarm = warm;
    this.attempts = attempt;
    if (admissionTime == null) {
      admissionTime = now.toString();
    }
    this.startTime = null;
    return this;
  }

  StatusDraft started(Instant at) {
    this.startTime = at.toString();
    return this;
  }

  StatusDraft completed(Verdict v, Instant now) {
    this.completionTime = now.toString();
    this.verdict = summary(v);
    this.phase = v.status() == VerdictStatus.INTERNAL_ERROR || v.status() == VerdictStatus.CANCELLED
        ? GradingJobPhase.Failed : GradingJobPhase.Succeeded;
    return this;
  }

  StatusDraft condition(String type, boolean status, String reason, String message, Instant now) {
    String value = status ? "True" : "False";
    Condition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String since = existing != null && value.equals(existing.getStatus()) ? existing.getLastTransitionTime() : now.toString();
    Condition next = new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withLastTransitionTime(since).withObservedGeneration(generation).build();
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(next);
    return this;
  }

  GradingJobStatus build() {
    return new GradingJobStatus(generation, phase, List.copyOf(conditions), podName, podWarm, attempts == 0 ? null : attempts,
        admissionTime, startTime, completionTime, verdict);
  }

  boolean changed() {
    return !Objects.equals(before, build());
  }

  static VerdictSummary summary(Verdict v) {
    boolean explained = v.status() != VerdictStatus.ACCEPTED && v.status() != VerdictStatus.WRONG_ANSWER;
    String message = explained && v.message() != null
        ? (v.message().length() > 300 ? v.message().substring(0, 300) + "..." : v.message()) : null;
    return new VerdictSummary(v.status().name(), v.passed(), v.total(), v.passed() + "/" + v.total(), v.durationMs(),
        humanDuration(v.durationMs()), message);
  }

  static String humanDuration(long ms) {
    return ms < 1000 ? ms + "ms" : ms < 60_000 ? String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0)
        : (ms / 60_000) + "m" + (ms % 60_000) / 1000 + "s";
  }
}
