package io.kubegrade.runner.queue;

import java.time.Duration;

/**
 * How a queue worker takes jobs. {@code heartbeat}: how often the worker resets the idle time of
 * the jobs it grades - the gateway takes a job over after its queue takeover idle time (30 s by
 * default) without one, so that must be several heartbeats long. {@code drain}: how long a worker
 * being stopped lets its jobs finish.
 */
public record QueueSettings(String workerId, Duration heartbeat, Duration pollBlock, Duration drain) {

  public QueueSettings {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("workerId is required");
    }
  }

  public static QueueSettings defaults(String workerId) {
    return new QueueSettings(workerId, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(60));
  }
}
