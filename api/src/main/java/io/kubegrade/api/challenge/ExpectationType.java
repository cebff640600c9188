package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A condition on the page that the grader waits for (polls until true or the step times out). */
public enum ExpectationType {
  /** At least one element matches the target. */
  PRESENT("present"),
  /** No element matches the target (it is not in the DOM, not merely hidden). */
  ABSENT("absent"),
  /** Exactly {@code count} elements match. */
  COUNT("count"),
  /** Visible text (whitespace collapsed) equals / contains / matches. */
  TEXT("text"),
  /** An HTML attribute's value; an absent attribute reads as null. */
  ATTRIBUTE("attribute"),
  /** A DOM property such as value, checked, disabled or type, as a string. */
  PROPERTY("property"),
  /** A computed style property, e.g. background-color; colours are compared as computed. */
  STYLE("style"),
  /** The first number in the target's text (default: the whole page) changed by {@code by} since the test began. */
  NUMBER_CHANGE("numberChange"),
  /** A JavaScript expression, evaluated in an isolated world with DOM access, is truthy. */
  SCRIPT("script");

  private final String token;

  ExpectationType(String token) {
    this.token = token;
  }

  @JsonValue
  public String token() {
    return token;
  }

  @JsonCreator
  public static ExpectationType of(String token) {
    return Arrays.stream(values())
        .filter(t -> t.token.equals(token))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown expectation '" + token + "', expected one of " + tokens()));
  }

  static String tokens() {
    return Arrays.stream(values()).map(ExpectationType::token).collect(Collectors.joining(", "));
  }

  boolean needsTarget() {
    return this != SCRIPT && this != NUMBER_CHANGE;
  }

  boolean takesMatcher() {
    return this == TEXT || this == ATTRIBUTE || this == PROPERTY || this == STYLE;
  }

  boolean takesName() {
    return this == ATTRIBUTE || this == PROPERTY || this == STYLE;
  }
}
