package io.kubegrade.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.Grading;
import io.kubegrade.runner.testing.SharedPool;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every shipped challenge: each sample solution gets the verdict its folder names. */
@ExtendWith(SharedPool.class)
class CatalogueIT {

  @Test
  void everySampleSolutionGetsItsExpectedVerdict(GradingPool pool) {
    List<ChallengeDirectory> catalogue = ChallengeDirectory.loadAll(Grading.catalogue());

    List<ChallengeVerifier.Outcome> outcomes = new ChallengeVerifier(pool).verify(catalogue);

    assertThat(outcomes.stream().filter(o -> !o.matches()).map(ChallengeVerifier.Outcome::describe)
        .collect(Collectors.joining("\n"))).isEmpty();
  }

  @Test
  void theCatalogueCoversWhatLearnersPractise() {
    List<ChallengeDirectory> catalogue = ChallengeDirectory.loadAll(Grading.catalogue());

    assertThat(catalogue).hasSizeGreaterThanOrEqualTo(15);
    assertThat(catalogue).allSatisfy(c -> {
      assertThat(c.samples()).filteredOn(s -> s.expected() == VerdictStatus.ACCEPTED).as(c.challenge().id()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(c.samples()).filteredOn(s -> s.expected() != VerdictStatus.ACCEPTED).as(c.challenge().id()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(c.dir().getFileName().toString()).isEqualTo(c.challenge().id());
    });
  }
}
