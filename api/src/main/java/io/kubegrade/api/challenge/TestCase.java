package io.kubegrade.api.challenge;

import java.util.ArrayList;
import java.util.List;

/** A named test: the component is mounted afresh, then the steps run in order. */
public record TestCase(String name, List<Step> steps) {

  public TestCase {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add(where + ": a test needs a name");
    }
    if (steps.isEmpty()) {
      problems.add(where + ": a test needs at least one step");
    }
    for (int i = 0; i < steps.size(); i++) {
      problems.addAll(steps.get(i).problems(where + ".steps[" + i + "]"));
    }
    return problems;
  }
}
