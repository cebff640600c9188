package io.kubegrade.runner.cli;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.sink.EventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The challenge author's check: every shipped solution gets the verdict its folder names, and the
 * starter code is not already accepted.
 */
public final class ChallengeVerifier {

  public record Outcome(ChallengeDirectory challenge, String sample, VerdictStatus expected, Verdict actual) {
    public boolean matches() {
      return expected == null ? actual.status() != VerdictStatus.ACCEPTED : actual.status() == expected;
    }

    public String describe() {
      String want = expected == null ? "not ACCEPTED" : expected.name();
      return String.format("%-4s %-28s %-44s expected %-22s got %s%s", matches() ? "ok" : "FAIL",
          challenge.challenge().id(), sample, want, actual.status(),
          matches() ? "" : " - " + actual.message());
    }
  }

  private final GradingPool pool;

  public ChallengeVerifier(GradingPool pool) {
    this.pool = pool;
  }

  public List<Outcome> verify(List<ChallengeDirectory> challenges) {
    List<CompletableFuture<Outcome>> running = new ArrayList<>();
    for (ChallengeDirectory dir : challenges) {
      for (ChallengeDirectory.Sample sample : dir.samples()) {
        String name = dir.dir().relativize(sample.file()).toString();
        running.add(grade(dir, sample.source()).thenApply(v -> new Outcome(dir, name, sample.expected(), v)));
      }
      if (dir.challenge().starterCode() != null && !dir.challenge().starterCode().isBlank()) {
        running.add(grade(dir, dir.challenge().starterCode()).thenApply(v -> new Outcome(dir, "(starter code)", null, v)));
      }
    }
    return running.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<Verdict> grade(ChallengeDirectory dir, String source) {
    return pool.submit(new GradingRequest("verify-" + UUID.randomUUID(), dir.challenge(), source, 1), EventSink.DISCARD);
  }
}
