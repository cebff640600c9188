package io.kubegrade.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VerdictTest {

  @Test
  void boundedJsonKeepsSmallVerdictsWhole() throws Exception {
    Verdict v = new Verdict(VerdictStatus.WRONG_ANSWER, "1 of 2", 1, 2, 300,
        java.util.List.of(new TestResult("a", TestOutcome.PASSED, 10, null), new TestResult("b", TestOutcome.FAILED, 20, "expected x")),
        null, null, java.util.List.of(new ConsoleEntry("INFO", "hi")), null, "PNG");

    Verdict read = Json.mapper().readValue(v.toBoundedJson(4096), Verdict.class);

    assertThat(read).isEqualTo(v.withoutScreenshot());
  }

  @Test
  void boundedJsonShrinksHugeVerdictsButKeepsTheEssentials() throws Exception {
    String big = String.join("", Collections.nCopies(5000, "é"));
    Verdict v = new Verdict(VerdictStatus.COMPILE_ERROR, big, 0, 200, 5,
        IntStream.range(0, 200).mapToObj(i -> new TestResult(big, TestOutcome.SKIPPED, 0, big)).toList(),
        new CompileError(big, 3, 7), null, java.util.List.of(), null, null);

    String json = v.toBoundedJson(4096);

    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    Verdict read = Json.mapper().readValue(json, Verdict.class);
    assertThat(read.status()).isEqualTo(VerdictStatus.COMPILE_ERROR);
    assertThat(read.total()).isEqualTo(200);
    assertThat(read.message()).startsWith("ééé");
  }
}
