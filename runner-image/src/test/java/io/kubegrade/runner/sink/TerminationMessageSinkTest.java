package io.kubegrade.runner.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.Json;
import io.kubegrade.api.event.ConsoleEntry;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.RuntimeFailure;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminationMessageSinkTest {

  @Test
  void writesOnlyTheVerdictWithinFourKibibytes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("termination-log");
    EventSequence seq = new EventSequence("s", 2);
    String big = String.join("", Collections.nCopies(2000, "x"));
    Verdict verdict = new Verdict(VerdictStatus.RUNTIME_ERROR, "boom " + big, 3, 40, 1234,
        IntStream.range(0, 40).mapToObj(i -> new TestResult("test " + i + big, TestOutcome.FAILED, 5, big)).toList(),
        null, new RuntimeFailure("Error: " + big, big), IntStream.range(0, 50).mapToObj(i -> new ConsoleEntry("INFO", big)).toList(),
        null, "iVBORw0KGgo" + big);
    TerminationMessageSink sink = new TerminationMessageSink(file);

    sink.publish(seq.started(null));
    assertThat(file).doesNotExist();
    sink.publish(seq.verdict(verdict));

    byte[] written = Files.readAllBytes(file);
    assertThat(written.length).isLessThanOrEqualTo(TerminationMessageSink.MAX_BYTES);
    Verdict read = Json.mapper().readValue(written, Verdict.class);
    assertThat(read.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(read.passed()).isEqualTo(3);
    assertThat(read.total()).isEqualTo(40);
    assertThat(read.screenshotPng()).isNull();
  }
}
