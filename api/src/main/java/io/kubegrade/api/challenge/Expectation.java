package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A condition the grader waits for. {@code name} is the attribute, property or style property
 * inspected; exactly one of {@code equals}, {@code contains}, {@code matches} (a regular
 * expression that must match the whole value) states what is expected of it. {@code timeout}
 * overrides the challenge's per-step timeout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = JsonDeserializer.None.class) // not the interface's StepDeserializer
public record Expectation(
    @JsonProperty("expect") ExpectationType type,
    Target target,
    String name,
    @JsonProperty("equals") String equalTo,
    String contains,
    String matches,
    Integer count,
    Double by,
    String script,
    Duration timeout) implements Step {

  @Override
  public List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (type == null) {
      problems.add(where + ": 'expect' must be one of " + ExpectationType.tokens());
      return problems;
    }
    String t = "'" + type.token() + "'";
    if (type.needsTarget() && target == null) {
      problems.add(where + ": " + t + " needs a target");
    }
    if (type == ExpectationType.SCRIPT && target != null) {
      problems.add(where + ": 'script' takes no target");
    }
    if (target != null) {
      problems.addAll(target.problems(where + ".target"));
    }
    int matchers = (equalTo != null ? 1 : 0) + (contains != null ? 1 : 0) + (matches != null ? 1 : 0);
    if (type.takesMatcher() && matchers != 1) {
      problems.add(where + ": " + t + " needs exactly one of equals, contains, matches");
    } else if (!type.takesMatcher() && matchers != 0) {
      problems.add(where + ": equals/contains/matches do not apply to " + t);
    }
    if (matches != null) {
      try {
        Pattern.compile(matches);
      } catch (PatternSyntaxException e) {
        problems.add(where + ": 'matches' is not a valid regular expression: " + e.getDescription());
      }
    }
    if (type.takesName() != (name != null && !name.isBlank())) {
      problems.add(where + (type.takesName() ? ": " + t + " needs 'name'" : ": 'name' does not apply to " + t));
    }
    if ((type == ExpectationType.COUNT) != (count != null)) {
      problems.add(where + (count == null ? ": 'count' needs 'count'" : ": 'count' only applies to 'count'"));
    } else if (count != null && count < 0) {
      problems.add(where + ": 'count' must be 0 or more");
    }
    if ((type == ExpectationType.NUMBER_CHANGE) != (by != null)) {
      problems.add(where + (by == null ? ": 'numberChange' needs 'by'" : ": 'by' only applies to 'numberChange'"));
    }
    if ((type == ExpectationType.SCRIPT) != (script != null && !script.isBlank())) {
      problems.add(where + (script == null ? ": 'script' needs 'script'" : ": 'script' only applies to 'script'"));
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      problems.add(where + ": 'timeout' must be positive");
    }
    return problems;
  }

  /** The matcher as a phrase: {@code equals "x"}, {@code contains "x"}, {@code matches /x/}. */
  public String describeMatcher() {
    if (equalTo != null) {
      return "equal to \"" + equalTo + "\"";
    }
    if (contains != null) {
      return "containing \"" + contains + "\"";
    }
    return matches != null ? "matching /" + matches + "/" : "";
  }

  @Override
  public String describe() {
    String on = target == null ? "" : target.describe();
    return switch (type) {
      case PRESENT -> on + " is present";
      case ABSENT -> on + " is absent";
      case COUNT -> count + " × " + on;
      case TEXT -> "text of " + on + " " + describeMatcher();
      case ATTRIBUTE -> "attribute " + name + " of " + on + " " + describeMatcher();
      case PROPERTY -> "property " + name + " of " + on + " " + describeMatcher();
      case STYLE -> "style " + name + " of " + on + " " + describeMatcher();
      case NUMBER_CHANGE -> "the first number " + (target == null ? "on the page" : "in " + on)
          + " changed by " + formatNumber(by);
      case SCRIPT -> "script " + script;
    };
  }

  public static String formatNumber(double n) {
    return n == Math.rint(n) && Math.abs(n) < 1e15 ? String.valueOf((long) n) : String.valueOf(n);
  }
}
