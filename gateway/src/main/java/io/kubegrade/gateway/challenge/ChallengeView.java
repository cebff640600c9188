package io.kubegrade.gateway.challenge;

import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.TestCase;
import java.util.List;

/**
 * What a learner sees of a challenge: the statement, starter code, limits and the names of the
 * tests, not their steps (an admin reads those as YAML).
 */
public record ChallengeView(String id, String title, String statement, String difficulty, String starterCode,
    LimitsView limits, List<String> tests) {

  public record LimitsView(String stepTimeout, String timeLimit, int memoryMb) {}

  public static ChallengeView of(Challenge c) {
    return new ChallengeView(c.id(), c.title(), c.statement(), c.difficulty().name(), c.starterCode(),
        new LimitsView(Json.formatDuration(c.limits().stepTimeout()), Json.formatDuration(c.limits().timeLimit()),
            c.limits().memoryMb()),
        c.tests().stream().map(TestCase::name).toList());
  }
}
