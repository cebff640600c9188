package io.kubegrade.api.challenge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum Difficulty {
  EASY, MEDIUM, HARD;

  @JsonValue
  public String token() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Difficulty of(String token) {
    return valueOf(token.toUpperCase(Locale.ROOT));
  }
}
