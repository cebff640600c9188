package io.kubegrade.runner.grading;

import static io.kubegrade.runner.testing.Grading.CLICK_CHALLENGE;
import static io.kubegrade.runner.testing.Grading.CLICK_CORRECT;
import static io.kubegrade.runner.testing.Grading.catalogueChallenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.SharedPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The hostile corpus (src/test/resources/hostile/VERDICT/*.jsx): each submission gets the verdict
 * its folder names, and the correct solution graded next, in the same browser, is ACCEPTED.
 */
class HostileCorpusIT {
  private static final Path CORPUS = Path.of("src/test/resources/hostile");
  private static final Challenge CLICK = catalogueChallenge(CLICK_CHALLENGE);
  private static GradingPool pool;

  @BeforeAll
  static void start() {
    pool = GradingPool.start(SharedPool.settings(1, "corpus")); // one browser: "next" means the same one
  }

  @AfterAll
  static void stop() {
    pool.close();
  }

  @TestFactory
  Stream<DynamicTest> everySubmissionGetsItsVerdictAndLeavesTheBrowserAsItFoundIt() throws IOException {
    try (Stream<Path> files = Files.walk(CORPUS)) {
      return files.filter(f -> f.toString().endsWith(".jsx")).sorted().toList().stream()
          .map(file -> DynamicTest.dynamicTest(CORPUS.relativize(file).toString(), file.toUri(), () -> {
            VerdictStatus expected = VerdictStatus.valueOf(file.getParent().getFileName().toString());
            Verdict verdict = grade(pool, CLICK, Files.readString(file, StandardCharsets.UTF_8));
            assertThat(verdict.status()).as(verdict.message()).isEqualTo(expected);
            Verdict next = grade(pool, CLICK, CLICK_CORRECT);
            assertThat(next.status()).as("the next submission: " + next.message()).isEqualTo(VerdictStatus.ACCEPTED);
          }));
    }
  }
}
