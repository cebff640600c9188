package io.kubegrade.api.challenge;

import java.util.List;

/** A challenge document that cannot be used, with every problem found in it. */
public class InvalidChallengeException extends RuntimeException {
  private final List<String> problems;

  public InvalidChallengeException(String source, List<String> problems) {
    super("invalid challenge " + source + ":\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
