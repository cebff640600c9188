package io.kubegrade.operator.warm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WarmPoolDemandTest {
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  @Test
  void withNoDemandThePoolIsItsMinimum() {
    WarmPoolDemand demand = new WarmPoolDemand();
    assertThat(demand.target(T0, 2, 10)).isEqualTo(2);
    assertThat(demand.readyTime()).isEqualTo(WarmPoolDemand.DEFAULT_READY_TIME);
  }

  @Test
  void podsOnTheirWayAreArrivalRateTimesTheTimeAPodTakesToBeReady() {
    WarmPoolDemand demand = new WarmPoolDemand();
    for (int i = 0; i < 5; i++) {
      demand.readyAfter(Duration.ofSeconds(6));
    }
    // 30 jobs in the last minute: 0.5/s; each replacement takes 6 s: 3 on their way, plus the 2 standing.
    for (int i = 0; i < 30; i++) {
      demand.arrived(T0.plusSeconds(2L * i));
    }
    Instant now = T0.plusSeconds(59);
    assertThat(demand.rate(now)).isEqualTo(0.5);
    assertThat(demand.target(now, 2, 10)).isEqualTo(5);
    assertThat(demand.target(now, 2, 4)).as("never above the ceiling").isEqualTo(4);
  }

  @Test
  void demandOlderThanAMinuteIsForgotten() {
    WarmPoolDemand demand = new WarmPoolDemand();
    for (int i = 0; i < 60; i++) {
      demand.arrived(T0.plusMillis(100L * i));
    }
    assertThat(demand.target(T0.plusSeconds(10), 1, 10)).isGreaterThan(1);
    assertThat(demand.target(T0.plusSeconds(75), 1, 10)).isEqualTo(1);
  }

  @Test
  void theReadyTimeIsTheMedianOfRecentPodsSoOneSlowStartDoesNotInflateThePool() {
    WarmPoolDemand demand = new WarmPoolDemand();
    demand.readyAfter(Duration.ofSeconds(5));
    demand.readyAfter(Duration.ofSeconds(90));
    demand.readyAfter(Duration.ofSeconds(6));
    assertThat(demand.readyTime()).isEqualTo(Duration.ofSeconds(6));
    for (int i = 0; i < WarmPoolDemand.SAMPLES; i++) {
      demand.readyAfter(Duration.ofSeconds(3));
    }
    assertThat(demand.readyTime()).as("only the last %s pods count", WarmPoolDemand.SAMPLES).isEqualTo(Duration.ofSeconds(3));
  }
}
