package io.kubegrade.gateway.testing;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.gateway.submission.Submission;
import io.kubegrade.gateway.submission.SubmissionStatus;
import io.kubegrade.gateway.submission.SubmissionStore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored submission that nobody grades, and the five events a runner would publish for it: tests
 * publish them themselves, so the timing is theirs to choose.
 */
public record UngradedSubmission(String user, String token, String id, List<GradingEvent> events) {

  public static UngradedSubmission store(SubmissionStore store, String user, String token) {
    String id = "s" + UUID.randomUUID().toString().replace("-", "");
    store.insert(new Submission(id, user, "counter", SubmissionStatus.QUEUED, Instant.now(), null, 10, false, null),
        "solutions/" + user + "/counter/" + id + ".jsx").block();
    EventSequence seq = new EventSequence(id, 1);
    List<GradingEvent> events = List.of(seq.queued(), seq.started(null), seq.testStarted(0, "renders"),
        seq.testFinished(0, new TestResult("renders", TestOutcome.PASSED, 12, null)),
        seq.verdict(new Verdict(VerdictStatus.ACCEPTED, "all 1 tests passed", 1, 1, 40,
            List.of(new TestResult("renders", TestOutcome.PASSED, 12, null)), null, null, List.of(), null, null)));
    return new UngradedSubmission(user, token, id, events);
  }
}
