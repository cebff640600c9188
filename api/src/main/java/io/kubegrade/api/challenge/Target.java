package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * What a step acts on or inspects. Exactly one way of finding it: a CSS selector, an ARIA role
 * (optionally with its accessible name), a label's text, or the element's visible text.
 * {@code nth} picks among several matches (0-based); without it the first match is used.
 * In YAML a bare string is shorthand for a CSS selector.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Target(String css, String role, String name, String label, String text, Integer nth) {

  @JsonCreator
  public Target(
      @JsonProperty("css") String css,
      @JsonProperty("role") String role,
      @JsonProperty("name") String name,
      @JsonProperty("label") String label,
      @JsonProperty("text") String text,
      @JsonProperty("nth") Integer nth) {
    this.css = css;
    this.role = role;
    this.name = name;
    this.label = label;
    this.text = text;
    this.nth = nth;
  }

  @JsonCreator
  public static Target css(String css) {
    return new Target(css, null, null, null, null, null);
  }

  public static Target role(String role, String name) {
    return new Target(null, role, name, null, null, null);
  }

  public static Target label(String label) {
    return new Target(null, null, null, label, null, null);
  }

  public static Target text(String text) {
    return new Target(null, null, null, null, text, null);
  }

  /** Problems with this target, each prefixed with {@code where}. */
  List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    int ways = count(css) + count(role) + count(label) + count(text);
    if (ways != 1) {
      problems.add(where + ": give exactly one of css, role, label, text (found " + ways + ")");
    }
    if (name != null && role == null) {
      problems.add(where + ": 'name' only narrows a 'role' target");
    }
    if (nth != null && nth < 0) {
      problems.add(where + ": 'nth' must be 0 or more");
    }
    return problems;
  }

  private static int count(String s) {
    return s == null || s.isBlank() ? 0 : 1;
  }

  /** How a failure message names this target, e.g. {@code button "Add" (role)}. */
  public String describe() {
    String what;
    if (css != null) {
      what = "css '" + css + "'";
    } else if (role != null) {
      what = "role " + role + (name != null ? " named \"" + name + "\"" : "");
    } else if (label != null) {
      what = "the field labelled \"" + label + "\"";
    } else {
      what = "the element with text \"" + text + "\"";
    }
    return nth == null ? what : what + " #" + nth;
  }
}
