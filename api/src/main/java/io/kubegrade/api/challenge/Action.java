package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.ArrayList;
import java.util.List;

/**
 * A user input. {@code text} is what {@code type} types, {@code key} what {@code press} presses
 * (a WebDriver key name such as Enter, Tab, Escape, ArrowDown, Backspace, or one character),
 * {@code option} the visible text of the option that {@code select} chooses.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = JsonDeserializer.None.class) // not the interface's StepDeserializer
public record Action(
    @JsonProperty("do") ActionType type,
    Target target,
    String text,
    String key,
    String option) implements Step {

  @Override
  public List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (type == null) {
      problems.add(where + ": 'do' must be one of " + ActionType.tokens());
      return problems;
    }
    if (target == null && type != ActionType.PRESS) {
      problems.add(where + ": '" + type.token() + "' needs a target");
    }
    if (target != null) {
      problems.addAll(target.problems(where + ".target"));
    }
    require(problems, where, type == ActionType.TYPE, "text", text);
    require(problems, where, type == ActionType.PRESS, "key", key);
    require(problems, where, type == ActionType.SELECT, "option", option);
    if (key != null && type == ActionType.PRESS && !Keys.isKnown(key)) {
      problems.add(where + ": unknown key '" + key + "' (known: " + Keys.names() + ", or one character)");
    }
    return problems;
  }

  private void require(List<String> problems, String where, boolean needed, String field, String value) {
    if (needed && value == null) {
      problems.add(where + ": '" + type.token() + "' needs '" + field + "'");
    } else if (!needed && value != null) {
      problems.add(where + ": '" + field + "' does not apply to '" + type.token() + "'");
    }
  }

  @Override
  public String describe() {
    String on = target == null ? "" : " " + target.describe();
    return switch (type) {
      case TYPE -> "type \"" + text + "\" into" + on;
      case PRESS -> "press " + key + (target == null ? "" : " in" + on);
      case SELECT -> "select \"" + option + "\" in" + on;
      default -> type.token() + on;
    };
  }
}
