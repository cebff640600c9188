package io.kubegrade.runner.queue;

import java.time.Duration;

/**
 * How a queue worker takes jobs. {@code claimIdle} is how long a job may go without its worker's
 * heartbeat before another worker takes it over; it must be several heartbeats long.
 */
public record QueueSettings(String workerId, Duration heartbeat, Duration claimIdle, Duration pollBlock,
    int maxDeliveries, Duration drain) {

  public QueueSettings {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("workerId is required");
    }
    if (claimIdle.compareTo(heartbeat.multipliedBy(3)) < 0) {
      throw new IllegalArgumentException("claimIdle must be at least three heartbeats");
    }
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be at least 1");
    }
  }

  public static QueueSettings defaults(String workerId) {
    return new QueueSettings(workerId, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2), 3,
        Duration.ofSeconds(60));
  }
}
