package io.kubegrade.api.challenge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-step timeout (how long an expectation waits, and how long one action may block before the
 * run counts as hung), whole-run time limit, the page's JavaScript heap limit, and the hold: how
 * long what the expectations checked must stay true, without interruption, before the next action
 * or the end of the test (so a value that merely passes through the expected state - a number
 * cycling on a timer - does not pass).
 */
public record Limits(Duration stepTimeout, Duration timeLimit, Integer memoryMb, Duration hold) {
  public static final Duration DEFAULT_HOLD = Duration.ofMillis(100);
  public static final Limits DEFAULT = new Limits(Duration.ofSeconds(1), Duration.ofSeconds(20), 256, DEFAULT_HOLD);

  public Limits {
    stepTimeout = stepTimeout == null ? Duration.ofSeconds(1) : stepTimeout;
    timeLimit = timeLimit == null ? Duration.ofSeconds(20) : timeLimit;
    memoryMb = memoryMb == null ? 256 : memoryMb;
    hold = hold == null ? DEFAULT_HOLD : hold;
  }

  List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (stepTimeout.toMillis() < 50 || stepTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add(where + ".stepTimeout: must be between 50ms and 1m");
    }
    if (timeLimit.compareTo(stepTimeout) < 0 || timeLimit.compareTo(Duration.ofMinutes(10)) > 0) {
      problems.add(where + ".timeLimit: must be at least the step timeout and at most 10m");
    }
    if (hold.isNegative() || hold.compareTo(Duration.ofSeconds(5)) > 0) {
      problems.add(where + ".hold: must be between 0 and 5s");
    }
    if (memoryMb < 16 || memoryMb > 4096) {
      problems.add(where + ".memoryMb: must be between 16 and 4096");
    }
    return problems;
  }
}
