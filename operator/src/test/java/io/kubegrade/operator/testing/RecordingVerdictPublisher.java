package io.kubegrade.operator.testing;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.operator.verdict.VerdictPublisher;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hand-written fake: remembers the verdict that stands per submission, first one wins; no attempt
 * begins once there is one.
 */
public final class RecordingVerdictPublisher implements VerdictPublisher {
  private final Map<String, Verdict> published = new ConcurrentHashMap<>();
  private volatile RuntimeException failure;

  /** Every call fails with {@code e} until {@link #recover()}, as when Redis is unreachable. */
  public void failWith(RuntimeException e) {
    failure = e;
  }

  public void recover() {
    failure = null;
  }

  private void maybeFail() {
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
  }

  @Override
  public Optional<Verdict> existing(String submissionId) {
    maybeFail();
    return Optional.ofNullable(published.get(submissionId));
  }

  @Override
  public Verdict conclude(String submissionId, Verdict verdict) {
    maybeFail();
    return published.computeIfAbsent(submissionId, id -> verdict);
  }

  @Override
  public Optional<Attempt> begin(String submissionId, int attempt) {
    maybeFail();
    return published.containsKey(submissionId) ? Optional.empty()
        : Optional.of(Attempt.begin(submissionId, attempt));
  }

  /** As if the runner had published this verdict itself. */
  public void alreadyPublished(String submissionId, Verdict verdict) {
    published.put(submissionId, verdict);
  }

  public Verdict verdict(String submissionId) {
    return published.get(submissionId);
  }

}
