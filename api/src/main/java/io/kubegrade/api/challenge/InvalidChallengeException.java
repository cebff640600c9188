package io.kubegrade.api.challenge;

import java.util.List;

/** A challenge document that cannot be used, with every problem found in it. */
public class InvalidChallengeException extends RuntimeException {
  private final String source;
  private final List<String> problems;

  public InvalidChallengeException(String source, List<String> problems) {
    super("invalid challenge " + source + ":\n  - " + String.join("\n  - ", problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** Where the document came from (a file, "document 3"). */
  public String source() {
    return source;
  }

  public List<String> problems() {
    return problems;
  }
}
