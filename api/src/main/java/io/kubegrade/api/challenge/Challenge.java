package io.kubegrade.api.challenge;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A coding challenge: what the learner reads ({@code statement}, markdown), the code the editor
 * starts with, limits, and the tests a submission must pass. Read with {@link ChallengeFormat}.
 */
public record Challenge(
    String id,
    String title,
    String statement,
    Difficulty difficulty,
    String starterCode,
    Limits limits,
    List<TestCase> tests) {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public Challenge {
    limits = limits == null ? Limits.DEFAULT : limits;
    difficulty = difficulty == null ? Difficulty.EASY : difficulty;
    tests = tests == null ? List.of() : List.copyOf(tests);
  }

  /** Everything wrong with this challenge, as {@code path: problem} lines; empty when valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (id == null || !ID.matcher(id).matches()) {
      problems.add("id: must be 1-63 lowercase letters, digits and dashes, starting with a letter or digit");
    }
    if (title == null || title.isBlank()) {
      problems.add("title: required");
    }
    if (statement == null || statement.isBlank()) {
      problems.add("statement: required");
    }
    problems.addAll(limits.problems("limits"));
    if (tests.isEmpty()) {
      problems.add("tests: at least one test is required");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tests.size(); i++) {
      TestCase test = tests.get(i);
      problems.addAll(test.problems("tests[" + i + "]"));
      if (test.name() != null && !names.add(test.name())) {
        problems.add("tests[" + i + "]: duplicate test name '" + test.name() + "'");
      }
    }
    return problems;
  }
}
