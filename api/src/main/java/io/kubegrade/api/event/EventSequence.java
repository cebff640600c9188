package io.kubegrade.api.event;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbers one submission's events. Whoever accepts a submission publishes QUEUED as 1; a runner
 * continues from the number it was handed, so the sequence has no gaps across processes.
 */
public final class EventSequence {
  private final String submissionId;
  private final AtomicLong next;
  private final Clock clock;

  public EventSequence(String submissionId, long firstSeq, Clock clock) {
    if (firstSeq < 1) {
      throw new IllegalArgumentException("sequence numbers start at 1");
    }
    this.submissionId = submissionId;
    this.next = new AtomicLong(firstSeq);
    this.clock = clock;
  }

  public EventSequence(String submissionId, long firstSeq) {
    this(submissionId, firstSeq, Clock.systemUTC());
  }

  public String submissionId() {
    return submissionId;
  }

  public GradingEvent queued() {
    return event(EventType.QUEUED, null, null, null, null, null);
  }

  public GradingEvent started(String message) {
    return event(EventType.STARTED, null, null, message, null, null);
  }

  public GradingEvent testStarted(int index, String name) {
    return event(EventType.TEST_STARTED, index, name, null, null, null);
  }

  public GradingEvent testFinished(int index, TestResult result) {
    EventType type = result.outcome() == TestOutcome.PASSED ? EventType.TEST_PASSED : EventType.TEST_FAILED;
    return event(type, index, result.name(), result.message(), result.durationMs(), null);
  }

  public GradingEvent verdict(Verdict verdict) {
    return event(EventType.VERDICT, null, null, verdict.message(), verdict.durationMs(), verdict);
  }

  private GradingEvent event(EventType type, Integer testIndex, String test, String message,
      Long durationMs, Verdict verdict) {
    return new GradingEvent(GradingEvent.SCHEMA_VERSION, submissionId, next.getAndIncrement(), type,
        clock.instant(), testIndex, test, message, durationMs, verdict);
  }
}
