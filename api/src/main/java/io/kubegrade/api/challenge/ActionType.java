package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A user input performed through WebDriver as real (trusted) input events. */
public enum ActionType {
  CLICK("click"),
  DOUBLE_CLICK("doubleClick"),
  TYPE("type"),
  CLEAR("clear"),
  PRESS("press"),
  HOVER("hover"),
  UNHOVER("unhover"),
  SELECT("select"),
  CHECK("check"),
  UNCHECK("uncheck");

  private final String token;

  ActionType(String token) {
    this.token = token;
  }

  @JsonValue
  public String token() {
    return token;
  }

  @JsonCreator
  public static ActionType of(String token) {
    return Arrays.stream(values())
        .filter(t -> t.token.equals(token))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown action '" + token + "', expected one of " + tokens()));
  }

  static String tokens() {
    return Arrays.stream(values()).map(ActionType::token).collect(Collectors.joining(", "));
  }
}
