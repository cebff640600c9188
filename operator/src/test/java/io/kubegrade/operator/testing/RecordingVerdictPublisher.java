package io.kubegrade.operator.testing;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.operator.verdict.VerdictPublisher;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A hand-written fake: remembers the verdict that stands per submission, first one wins. */
public final class RecordingVerdictPublisher implements VerdictPublisher {
  private final Map<String, Verdict> published = new ConcurrentHashMap<>();

  @Override
  public java.util.Optional<Verdict> existing(String submissionId) {
    return java.util.Optional.ofNullable(published.get(submissionId));
  }

  @Override
  public Verdict conclude(String submissionId, Verdict verdict) {
    return published.computeIfAbsent(submissionId, id -> verdict);
  }

  /** As if the runner had published this verdict itself. */
  public void alreadyPublished(String submissionId, Verdict verdict) {
    published.put(submissionId, verdict);
  }

  public Verdict verdict(String submissionId) {
    return published.get(submissionId);
  }

}
