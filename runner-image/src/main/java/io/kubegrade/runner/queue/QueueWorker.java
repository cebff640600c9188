package io.kubegrade.runner.queue;

import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.sink.AttemptSupersededException;
import io.kubegrade.runner.sink.InboxEventSink;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link GradingPool} from the Redis job stream {@link RedisLayout#JOB_STREAM} through the
 * consumer group {@link RedisLayout#RUNNERS_GROUP}. It takes a job only when a browser is free, so
 * other workers get the rest. Each job is one attempt, with its capability: the worker reports
 * through the inbox ({@link InboxEventSink}) and cannot write the submission's log itself. A job
 * stays pending in the group until graded; while it runs, the worker re-claims it every heartbeat
 * so its idle time stays low. A worker that dies (or stalls) stops doing that, and after the
 * gateway's takeover idle time the gateway begins a new attempt as a new job for another worker -
 * which fences this one: should it come back, it learns so with its next event, stops grading, says
 * why in its log and removes its dead entry (docs/events.md).
 */
public final class QueueWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

  private final GradingPool pool;
  private final QueueSettings settings;
  private final StatefulRedisConnection<String, String> commands;
  private final StatefulRedisConnection<String, String> blocking;
  private final Semaphore freeBrowsers;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timers;
  private final Thread reader;
  private volatile boolean running = true;

  private QueueWorker(RedisClient client, GradingPool pool, QueueSettings settings) {
    this.pool = pool;
    this.settings = settings;
    this.commands = client.connect();
    this.blocking = client.connect();
    this.freeBrowsers = new Semaphore(pool.size());
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kubegrade-queue-timers");
      t.setDaemon(true);
      return t;
    });
    this.reader = new Thread(this::readLoop, "kubegrade-queue-reader");
    this.reader.setDaemon(true);
  }

  /** Joins the consumer group (creating stream and group if needed) and starts taking jobs. */
  public static QueueWorker start(RedisClient client, GradingPool pool, QueueSettings settings) {
    QueueWorker worker = new QueueWorker(client, pool, settings);
    ensureGroup(worker.commands.sync());
    long beat = settings.heartbeat().toMillis();
    worker.timers.scheduleWithFixedDelay(worker::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    worker.reader.start();
    log.info("worker {} takes jobs from {} with {} browsers", settings.workerId(), RedisLayout.JOB_STREAM, pool.size());
    return worker;
  }

  static void ensureGroup(RedisCommands<String, String> redis) {
    try {
      redis.xgroupCreate(XReadArgs.StreamOffset.from(RedisLayout.JOB_STREAM, "0"), RedisLayout.RUNNERS_GROUP,
          XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // the group exists already
    }
  }

  private void readLoop() {
    Consumer<String> me = Consumer.from(RedisLayout.RUNNERS_GROUP, settings.workerId());
    while (running) {
      try {
        if (!freeBrowsers.tryAcquire(1, TimeUnit.SECONDS)) {
          continue;
        }
        List<StreamMessage<String, String>> got = blocking.sync().xreadgroup(me,
            XReadArgs.Builder.count(1).block(settings.pollBlock()),
            XReadArgs.StreamOffset.lastConsumed(RedisLayout.JOB_STREAM));
        if (got == null || got.isEmpty()) {
          freeBrowsers.release();
          continue;
        }
        handle(got.get(0));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        freeBrowsers.release();
        if (running) {
          log.warn("reading jobs failed, retrying: {}", e.toString());
          sleepQuietly(settings.heartbeat());
        }
      }
    }
  }

  /** Resets the idle time of every job this worker is grading, which is what "alive" means here. */
  private void heartbeat() {
    for (String id : inFlight) {
      try {
        commands.sync().xclaim(RedisLayout.JOB_STREAM, Consumer.from(RedisLayout.RUNNERS_GROUP, settings.workerId()),
            io.lettuce.core.XClaimArgs.Builder.justid(), id);
      } catch (RuntimeException e) {
        log.warn("heartbeat for job {} failed: {}", id, e.toString());
      }
    }
  }

  private void handle(StreamMessage<String, String> message) {
    String id = message.getId();
    QueuedJob job;
    try {
      job = QueuedJob.parse(message.getBody());
    } catch (IllegalArgumentException e) {
      log.error("dropping malformed job {}: {}", id, e.getMessage());
      finish(id);
      return;
    }
    try {
      InboxEventSink.requireCurrent(commands.sync(), job.attempt());
    } catch (AttemptSupersededException e) {
      log.info("job {}: {}", id, e.getMessage()); // graded, or taken over, before this worker got to it
      finish(id);
      return;
    }
    inFlight.add(id);
    pool.submit(job.request(), new InboxEventSink(commands, job.attempt())).whenComplete((verdict, failure) -> {
      if (failure instanceof AttemptSupersededException || failure != null && failure.getCause() instanceof AttemptSupersededException) {
        // A later attempt has its own job (the gateway began it and queued it in one step), or
        // the submission is concluded: this entry can never count again.
        log.warn("job {}: {}", id, (failure instanceof AttemptSupersededException ? failure : failure.getCause()).getMessage());
        finish(id);
      } else if (failure != null) {
        // The verdict never reached Redis: leave the job pending, for the gateway to give to another worker.
        log.error("the verdict of {} was not delivered; the job stays pending: {}", job.attempt(), failure.toString());
        inFlight.remove(id);
        freeBrowsers.release();
      } else {
        finish(id);
      }
    });
  }

  private void finish(String id) {
    try {
      commands.sync().xack(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP, id);
      commands.sync().xdel(RedisLayout.JOB_STREAM, id);
    } catch (RuntimeException e) {
      log.warn("acknowledging job {} failed (it will be claimed and found done): {}", id, e.toString());
    } finally {
      inFlight.remove(id);
      freeBrowsers.release();
    }
  }

  /**
   * Stops taking jobs and waits (up to {@code drain}) for the jobs in flight to end, so a worker
   * scaled down finishes its work; whatever is still running after that stays pending in the group
   * and is claimed by another worker.
   */
  @Override
  public void close() {
    running = false;
    reader.interrupt();
    long deadline = System.nanoTime() + settings.drain().toNanos();
    while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
      sleepQuietly(Duration.ofMillis(50));
    }
    timers.shutdownNow();
    try {
      reader.join(settings.pollBlock().toMillis() + 2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    blocking.close();
    commands.close();
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
