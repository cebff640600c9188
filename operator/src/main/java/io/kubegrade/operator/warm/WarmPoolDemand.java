package io.kubegrade.operator.warm;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * How many warm pods one namespace needs, by Little's law: jobs arrive at rate λ (those that fit a
 * warm pod, over the last {@link #WINDOW}), and each pod they take is replaced in W (creation to
 * Ready, the median of the last {@link #SAMPLES} pods seen turn ready), so λ·W pods are on their way
 * at any moment; on top of that, {@code min} stand ready. The target - idle and starting pods
 * together - is {@code min + ⌈λ·W⌉}, at most {@code max}. Thread-safe: bindings record arrivals
 * while the pool's ticker reads the target.
 */
public final class WarmPoolDemand {
  static final Duration WINDOW = Duration.ofMinutes(1);
  static final int SAMPLES = 20;
  /** W until a pod has been seen turn ready: a runner pod's start on a busy node. */
  static final Duration DEFAULT_READY_TIME = Duration.ofSeconds(10);

  private final Deque<Instant> arrivals = new ArrayDeque<>();
  private final Deque<Duration> readyTimes = new ArrayDeque<>();

  /** A job that fits a warm pod was admitted (whether or not one was left for it). */
  public synchronized void arrived(Instant at) {
    arrivals.addLast(at);
  }

  /** A warm pod turned ready {@code took} after it was created. */
  public synchronized void readyAfter(Duration took) {
    if (took.isNegative()) {
      return;
    }
    readyTimes.addLast(took);
    while (readyTimes.size() > SAMPLES) {
      readyTimes.removeFirst();
    }
  }

  /** Jobs per second over the last minute. */
  public synchronized double rate(Instant now) {
    Instant since = now.minus(WINDOW);
    while (!arrivals.isEmpty() && arrivals.peekFirst().isBefore(since)) {
      arrivals.removeFirst();
    }
    return arrivals.size() / (double) WINDOW.toSeconds();
  }

  /** The median time from a warm pod's creation to Ready (W). */
  public synchronized Duration readyTime() {
    if (readyTimes.isEmpty()) {
      return DEFAULT_READY_TIME;
    }
    Duration[] sorted = readyTimes.toArray(Duration[]::new);
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Idle and starting pods to keep: {@code min + ⌈λ·W⌉}, clamped to [min, max]. */
  public synchronized int target(Instant now, int min, int max) {
    double inFlight = rate(now) * readyTime().toMillis() / 1000.0;
    long wanted = min + (long) Math.ceil(inFlight - 1e-9);
    return (int) Math.max(min, Math.min(max, wanted));
  }
}
