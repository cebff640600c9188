package io.kubegrade.runner.grading;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fires an action when a guarded call overruns its deadline. WebDriver calls block while the page's
 * main thread is stuck, so the only way to bound them is from another thread.
 */
public final class Watchdog implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kubegrade-watchdog");
    t.setDaemon(true);
    return t;
  });

  public Guard arm(Duration timeout, Runnable onTimeout) {
    return new Guard(timeout, onTimeout);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  public final class Guard implements AutoCloseable {
    private final AtomicBoolean fired = new AtomicBoolean();
    private final CountDownLatch acted = new CountDownLatch(1);
    private final ScheduledFuture<?> task;

    private Guard(Duration timeout, Runnable onTimeout) {
      task = timer.schedule(() -> {
        fired.set(true);
        try {
          onTimeout.run();
        } finally {
          acted.countDown();
        }
      }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    public boolean fired() {
      return fired.get();
    }

    /** Once fired: waits (at most {@code limit}) until the timeout action has finished. */
    public void awaitAction(Duration limit) {
      try {
        acted.await(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      task.cancel(false);
    }
  }
}
