package io.kubegrade.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventSequenceTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void numbersEventsWithoutGapsFromWhereTheDispatcherLeftOff() {
    EventSequence seq = new EventSequence("s1", 2, clock);

    List<GradingEvent> events = List.of(seq.started(null), seq.testStarted(0, "t"),
        seq.testFinished(0, new TestResult("t", TestOutcome.FAILED, 3, "expected a, found b")),
        seq.verdict(Verdict.of(VerdictStatus.WRONG_ANSWER, "0 of 1", 1, 9)));

    assertThat(events).extracting(GradingEvent::seq).containsExactly(2L, 3L, 4L, 5L);
    assertThat(events).extracting(GradingEvent::type)
        .containsExactly(EventType.STARTED, EventType.TEST_STARTED, EventType.TEST_FAILED, EventType.VERDICT);
    assertThat(events).filteredOn(GradingEvent::isTerminal).hasSize(1);
    assertThat(events.get(2).message()).isEqualTo("expected a, found b");
  }

  @Test
  void roundTripsThroughJson() {
    GradingEvent e = new EventSequence("s1", 1, clock).verdict(Verdict.of(VerdictStatus.ACCEPTED, "ok", 2, 40));

    String json = e.toJson();

    assertThat(GradingEvent.fromJson(json)).isEqualTo(e);
    assertThat(json).contains("\"v\":1").contains("\"at\":\"2026-11-22T10:00:00Z\"").doesNotContain("terminal");
  }

  @Test
  void refusesSequencesBelowOne() {
    assertThatThrownBy(() -> new EventSequence("s", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
