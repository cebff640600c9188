package io.kubegrade.api.challenge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.kubegrade.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reads and writes the challenge YAML format (JSON is accepted too, being YAML). */
public final class ChallengeFormat {
  private ChallengeFormat() {}

  /** Parses and validates; throws {@link InvalidChallengeException} listing every problem. */
  public static Challenge parse(String yaml, String source) {
    Challenge challenge;
    try {
      challenge = Json.yaml().readValue(yaml, Challenge.class);
    } catch (JsonMappingException e) {
      throw new InvalidChallengeException(source, List.of(describe(e)));
    } catch (JsonProcessingException e) {
      throw new InvalidChallengeException(source, List.of("not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "")));
    }
    if (challenge == null) {
      throw new InvalidChallengeException(source, List.of("the document is empty"));
    }
    List<String> problems = challenge.problems();
    if (!problems.isEmpty()) {
      throw new InvalidChallengeException(source, problems);
    }
    return challenge;
  }

  public static Challenge read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read challenge " + file, e);
    }
  }

  public static String write(Challenge challenge) {
    try {
      return Json.yaml().writeValueAsString(challenge);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a challenge always serialises", e);
    }
  }

  private static String describe(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    String where = e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "";
    return (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage() + where;
  }
}
