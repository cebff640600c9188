package io.kubegrade.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/events.schema.json is the published contract: it must say exactly what the records write. */
class EventSchemaTest {
  private static final JsonNode SCHEMA = read();

  private static JsonNode read() {
    try {
      return Json.mapper().readTree(Path.of(System.getProperty("kubegrade.docs", "../docs")).resolve("events.schema.json").toFile());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyRecordFieldIsDocumentedAndNothingElse() {
    check(SCHEMA, GradingEvent.class);
    check(SCHEMA.at("/$defs/Verdict"), Verdict.class);
    check(SCHEMA.at("/$defs/TestResult"), TestResult.class);
    check(SCHEMA.at("/$defs/CompileError"), CompileError.class);
    check(SCHEMA.at("/$defs/RuntimeFailure"), RuntimeFailure.class);
    check(SCHEMA.at("/$defs/ConsoleEntry"), ConsoleEntry.class);
  }

  @Test
  void enumsMatch() {
    assertThat(values(SCHEMA.at("/properties/type/enum"))).isEqualTo(names(EventType.values()));
    assertThat(values(SCHEMA.at("/$defs/Verdict/properties/status/enum"))).isEqualTo(names(VerdictStatus.values()));
    assertThat(values(SCHEMA.at("/$defs/TestResult/properties/outcome/enum"))).isEqualTo(names(TestOutcome.values()));
    assertThat(SCHEMA.at("/properties/v/const").asInt()).isEqualTo(GradingEvent.SCHEMA_VERSION);
  }

  private static void check(JsonNode schema, Class<? extends Record> type) {
    Set<String> documented = new HashSet<>();
    schema.get("properties").fieldNames().forEachRemaining(documented::add);
    Set<String> fields = new HashSet<>();
    Arrays.stream(type.getRecordComponents()).forEach(c -> fields.add(c.getName()));
    assertThat(documented).as(type.getSimpleName()).isEqualTo(fields);
  }

  private static Set<String> values(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> names(Enum<?>[] values) {
    Set<String> out = new HashSet<>();
    Arrays.stream(values).forEach(v -> out.add(v.name()));
    return out;
  }
}
