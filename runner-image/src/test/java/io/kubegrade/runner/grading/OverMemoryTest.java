package io.kubegrade.runner.grading;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.VerdictStatus;
import org.junit.jupiter.api.Test;

/** A page that stopped responding is judged by the heap it held then. */
class OverMemoryTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void aHungPageOverItsMemoryIsMemoryLimitExceeded() {
    PageFailure hung = new PageFailure(VerdictStatus.TIME_LIMIT_EXCEEDED, "the page stopped responding", 300 * MIB);

    PageFailure judged = SubmissionGrader.overMemory(hung, 256);

    assertThat(judged.status()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
    assertThat(judged.getMessage()).isEqualTo("the page used 300 MiB of JavaScript heap when it stopped responding; the limit is 256 MiB");
  }

  @Test
  void aHungPageUnderItsMemoryOrWithoutAFigureStaysTimeLimitExceeded() {
    for (long heap : new long[] {-1, 2 * MIB, 256 * MIB}) {
      PageFailure hung = new PageFailure(VerdictStatus.TIME_LIMIT_EXCEEDED, "the page stopped responding", heap);

      assertThat(SubmissionGrader.overMemory(hung, 256)).isSameAs(hung);
    }
  }

  @Test
  void otherFailuresAreLeftAlone() {
    PageFailure navigated = new PageFailure(VerdictStatus.RUNTIME_ERROR, "the submission navigated away", 900 * MIB);

    assertThat(SubmissionGrader.overMemory(navigated, 256)).isSameAs(navigated);
  }
}
