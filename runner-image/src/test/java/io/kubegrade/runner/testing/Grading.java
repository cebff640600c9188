package io.kubegrade.runner.testing;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.cli.ChallengeDirectory;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.sink.EventSink;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Small helpers for tests that grade. */
public final class Grading {
  private Grading() {}

  public static Path catalogue() {
    return Path.of(System.getProperty("kubegrade.challenges", "../challenges"));
  }

  public static Challenge catalogueChallenge(String id) {
    return ChallengeDirectory.load(catalogue().resolve(id)).challenge();
  }

  public static Challenge challenge(String yaml) {
    return ChallengeFormat.parse(yaml, "test");
  }

  public static Verdict grade(GradingPool pool, Challenge challenge, String source) {
    return grade(pool, challenge, source, EventSink.DISCARD);
  }

  public static Verdict grade(GradingPool pool, Challenge challenge, String source, EventSink sink) {
    try {
      return pool.submit(new GradingRequest("test-" + UUID.randomUUID(), challenge, source, 1), sink)
          .get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("grading did not complete: " + e, e);
    }
  }

  /** The catalogue's click-changes-label task, and a solution that passes it. */
  public static final String CLICK_CHALLENGE = "click-changes-label";
  public static final String CLICK_CORRECT = """
      function App() {
        const [label, setLabel] = React.useState('Click me');
        return <button onClick={() => setLabel('Clicked')}>{label}</button>;
      }
      """;

  /**
   * For probes whose real test is elsewhere (a canary, a marker file): passes when the submission
   * renders {@code #go} and, once clicked, {@code #status} reading "done".
   */
  public static final Challenge PROBE = challenge("""
      id: probe
      title: Probe
      statement: Click go, then the status reads done.
      tests:
        - name: go
          steps:
            - do: click
              target: "#go"
            - expect: text
              target: "#status"
              equals: done
      """);
}
