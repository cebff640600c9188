package io.kubegrade.runner.pool;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.browser.ProcessReaper;
import io.kubegrade.runner.grading.Watchdog;
import io.kubegrade.runner.harness.HarnessServer;
import io.kubegrade.runner.sink.AttemptSupersededException;
import io.kubegrade.runner.sink.EventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warm pool of browsers. {@link #submit} grades on the next free browser and publishes STARTED,
 * per-test events and exactly one VERDICT to the sink. A browser failure is retried once on a fresh
 * browser, then reported as INTERNAL_ERROR, as is any other failure; closing the pool cancels
 * (CANCELLED) what has not run. The future fails only when the verdict itself cannot be delivered.
 */
public final class GradingPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GradingPool.class);

  private final PoolSettings settings;
  private final HarnessServer server;
  private final Watchdog watchdog = new Watchdog();
  private final BlockingQueue<BrowserSlot> idle = new LinkedBlockingQueue<>();
  private final List<BrowserSlot> slots = new ArrayList<>();
  private final ExecutorService workers;
  private final AtomicInteger threadIds = new AtomicInteger();
  private final List<Pending> pending = new ArrayList<>();
  private volatile boolean closed;

  private record Pending(GradingRequest request, EventSink sink, CompletableFuture<Verdict> result) {}

  private GradingPool(PoolSettings settings) {
    this.settings = settings;
    this.server = HarnessServer.start();
    this.workers = Executors.newFixedThreadPool(settings.size(), r -> {
      Thread t = new Thread(r, "kubegrade-grader-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts {@code settings.size()} browsers in parallel, each with a page ready. */
  public static GradingPool start(PoolSettings settings) {
    ProcessReaper.reapOrphans(settings.browser().workRoot());
    GradingPool pool = new GradingPool(settings);
    String inspector = HarnessServer.resourceText("/io/kubegrade/runner/harness/inspector.js");
    List<CompletableFuture<Void>> starting = new ArrayList<>();
    for (int i = 0; i < settings.size(); i++) {
      BrowserSlot slot = new BrowserSlot(i, settings, pool.server, pool.watchdog, inspector);
      pool.slots.add(slot);
      starting.add(CompletableFuture.runAsync(slot::start));
    }
    try {
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
    } catch (RuntimeException e) {
      pool.close();
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    pool.idle.addAll(pool.slots);
    return pool;
  }

  public int size() {
    return settings.size();
  }

  /** Browsers free right now, each with a page prepared: a submission now pays only for itself. */
  public int readySlots() {
    return idle.size();
  }

  public CompletableFuture<Verdict> submit(GradingRequest request, EventSink sink) {
    CompletableFuture<Verdict> result = new CompletableFuture<>();
    Pending job = new Pending(request, sink, result);
    synchronized (pending) {
      if (closed) {
        cancel(job);
        return result;
      }
      pending.add(job);
    }
    try {
      workers.execute(() -> run(job));
    } catch (RejectedExecutionException e) {
      cancel(job);
    }
    return result;
  }

  /**
   * Grades on the slot's browser, once more on a fresh one if it fails, and turns any other failure
   * into INTERNAL_ERROR - except a superseded attempt, which must say nothing more.
   */
  private Verdict grade(Pending job, BrowserSlot slot, EventSequence events, int total) {
    try {
      for (int attempt = 1; ; attempt++) {
        job.sink().publish(events.started(attempt == 1 ? null : "retrying on a fresh browser"));
        try {
          return slot.grade(job.request(), events, job.sink());
        } catch (BrowserCrashedException e) {
          log.warn("grading {} failed on the browser (attempt {}): {}", job.request().submissionId(), attempt, e.getMessage());
          if (attempt == 2) {
            return Verdict.of(VerdictStatus.INTERNAL_ERROR, "the grader failed twice: " + e.getMessage(), total, 0);
          }
          restart(slot);
        }
      }
    } catch (AttemptSupersededException e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug or a failing sink: still end the submission with a verdict, never leave it running.
      log.error("grading {} failed", job.request().submissionId(), e);
      return Verdict.of(VerdictStatus.INTERNAL_ERROR, "the grader failed: "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), total, 0);
    }
  }

  /**
   * A fresh browser for the retry. Starting one can fail for the same passing reason the old one
   * died (the host killing processes, say): that costs one more start, not the submission's retry.
   */
  private static void restart(BrowserSlot slot) {
    try {
      slot.restart();
    } catch (BrowserCrashedException e) {
      log.warn("a fresh browser failed to start ({}); starting another", e.getMessage());
      slot.restart();
    }
  }

  private void run(Pending job) {
    synchronized (pending) {
      if (!pending.remove(job)) {
        return; // cancelled by close()
      }
    }
    BrowserSlot slot;
    try {
      slot = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel(job);
      return;
    }
    EventSequence events = new EventSequence(job.request().submissionId(), job.request().firstSeq());
    int total = job.request().challenge().tests().size();
    try {
      Verdict verdict = grade(job, slot, events, total);
      job.sink().publish(events.verdict(verdict));
      job.sink().flush();
      job.result().complete(verdict);
    } catch (AttemptSupersededException e) {
      // Another attempt owns the submission now: its events are refused, so nothing more is said.
      log.warn("grading {}: {}", job.request().submissionId(), e.getMessage());
      job.result().completeExceptionally(e);
    } catch (RuntimeException e) {
      job.result().completeExceptionally(e);
    } finally {
      if (!closed) {
        try {
          boolean waiting;
          synchronized (pending) {
            waiting = !pending.isEmpty();
          }
          slot.recycle(!waiting);
        } catch (RuntimeException e) {
          log.error("slot could not be recycled: {}", e.toString());
        }
        idle.add(slot);
      }
    }
  }

  private static void cancel(Pending job) {
    EventSequence events = new EventSequence(job.request().submissionId(), job.request().firstSeq());
    Verdict verdict = Verdict.of(VerdictStatus.CANCELLED, "the grader shut down before this submission ran",
        job.request().challenge().tests().size(), 0);
    try {
      job.sink().publish(events.verdict(verdict));
      job.sink().flush();
    } finally {
      job.result().complete(verdict);
    }
  }

  /** Cancels what has not started, waits briefly for running jobs, and leaves no browser behind. */
  @Override
  public void close() {
    List<Pending> cancelled;
    synchronized (pending) {
      closed = true;
      cancelled = new ArrayList<>(pending);
      pending.clear();
    }
    cancelled.forEach(GradingPool::cancel);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    slots.forEach(BrowserSlot::close);
    watchdog.close();
    server.close();
  }
}
