package io.kubegrade.runner.job;

import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.api.job.WarmAssignment;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warm runner pod (docs/operator.md, "Warm runner pods"): started with no job, it starts its JVM,
 * browser and prepared page and checks its sandbox, says it is ready (RunnerContract.WARM_READY_FILE,
 * which its startup probe tests), and waits for the one job the operator hands it under its token
 * (RedisLayout.warmAssignmentKey). That job is then graded exactly as in a pod created for it
 * ({@link PodJob}), and the pod ends: it never grades a second. A pod given no job within its
 * longest wait ends with {@link RunnerContract#NEVER_BOUND}.
 */
public final class WarmPodJob implements PodRun {
  private static final Logger log = LoggerFactory.getLogger(WarmPodJob.class);
  /** One wait on the assignment list: well inside the Redis client's command timeout. */
  static final Duration POLL = Duration.ofSeconds(5);
  /** Redis failing this long in a row while the pod waits: it ends (and is replaced) rather than wait blind. */
  static final Duration REDIS_OUTAGE_BUDGET = Duration.ofSeconds(60);

  private final Map<String, String> env;
  private final Path readyFile;
  private PodJob job;
  private long waitedMs = -1;

  public WarmPodJob(Map<String, String> env) {
    this.env = env;
    this.readyFile = Path.of(env.getOrDefault(RunnerContract.WARM_READY_FILE, RunnerContract.WARM_READY_PATH));
  }

  /** Waits for this pod's job and grades it; nothing to do when none came or it was concluded meanwhile. */
  @Override
  public PodJob.Result run() throws PodJob.CannotStartException {
    String token = required(RunnerContract.WARM_TOKEN);
    Duration maxWait = Duration.ofSeconds(Long.parseLong(required(RunnerContract.WARM_MAX_WAIT_SECONDS).trim()));
    Path terminationLog = PodJob.terminationLog(env);
    CompletableFuture<Duration> sandboxed = PodJob.sandbox(env);
    // Prewarmed: a few renders in the prepared page, so the job meets compiled code, not the interpreter.
    CompletableFuture<GradingPool> browser = PodJob.startBrowser(PoolSettings.fromEnvironment(env).withPrewarm(true).withoutPreparingAhead(),
        () -> markReady(sandboxed));
    RedisClient client = RedisConnections.client(PodJob.redisUri(env), "runner");
    boolean handedOver = false;
    try (StatefulRedisConnection<String, String> redis = PodJob.connect(client)) {
      long since = System.currentTimeMillis();
      WarmAssignment assignment = await(redis, RedisLayout.warmAssignmentKey(token), maxWait,
          () -> browser.isCompletedExceptionally() || sandboxed.isCompletedExceptionally());
      if (assignment == null) {
        return PodJob.nothingToDo(terminationLog, RunnerContract.NEVER_BOUND + " in " + maxWait.toSeconds() + "s");
      }
      waitedMs = System.currentTimeMillis() - since;
      log.info("given {}", assignment);
      Map<String, String> jobEnv = new HashMap<>(env);
      jobEnv.put(RunnerContract.SUBMISSION_ID, assignment.submissionId());
      jobEnv.put(RunnerContract.ATTEMPT, String.valueOf(assignment.attempt()));
      jobEnv.put(RunnerContract.ATTEMPT_TOKEN, assignment.attemptToken());
      jobEnv.put(RunnerContract.CHALLENGE, assignment.challenge());
      jobEnv.put(RunnerContract.SOURCE_URL, assignment.sourceUrl());
      job = new PodJob(jobEnv, waitedMs);
      handedOver = true; // grade() closes the browser, whatever happens
      return job.grade(browser, sandboxed, redis);
    } finally {
      if (!handedOver) {
        try {
          browser.join().close();
        } catch (RuntimeException ignored) {
          // it failed to start: nothing to stop
        }
      }
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Where the time went: the job's timeline once given one. */
  @Override
  public String timeline() {
    return job == null ? "timeline warm, no job given" : job.timeline();
  }

  /**
   * Ready once the browser runs with its page prepared and the sandbox is in force: a job given
   * now pays only for itself.
   */
  private void markReady(CompletableFuture<Duration> sandboxed) {
    sandboxed.whenComplete((d, e) -> {
      if (e != null) {
        return; // never ready; the job, if one comes, fails to start and is retried elsewhere
      }
      try {
        Files.writeString(readyFile, "ready\n");
      } catch (IOException io) {
        log.warn("cannot write {}: {}", readyFile, io.toString());
      }
    });
  }

  /**
   * The assignment under {@code key}, waiting at most {@code maxWait}; null when none came. Ends
   * early when {@code broken} (the browser or the sandbox check failed): such a pod must not be
   * given a job, and ending gets it replaced.
   */
  static WarmAssignment await(StatefulRedisConnection<String, String> redis, String key, Duration maxWait,
      java.util.function.BooleanSupplier broken) throws PodJob.CannotStartException {
    long end = System.nanoTime() + maxWait.toNanos();
    long failingSince = 0;
    while (System.nanoTime() < end) {
      if (broken.getAsBoolean()) {
        throw new PodJob.CannotStartException("the browser or the sandbox check failed before a job came");
      }
      long left = Math.max(1, Math.min(POLL.toSeconds(), Duration.ofNanos(end - System.nanoTime()).toSeconds()));
      try {
        KeyValue<String, String> popped = redis.sync().blpop(left, key);
        failingSince = 0;
        if (popped != null && popped.hasValue()) {
          return WarmAssignment.fromJson(popped.getValue());
        }
      } catch (RedisException e) {
        long now = System.nanoTime();
        if (failingSince == 0) {
          failingSince = now;
          log.warn("waiting for the job: Redis failed ({}); trying again", e.toString());
        } else if (Duration.ofNanos(now - failingSince).compareTo(REDIS_OUTAGE_BUDGET) > 0) {
          throw new PodJob.CannotStartException("Redis failed for " + REDIS_OUTAGE_BUDGET.toSeconds()
              + "s while waiting for the job: " + e.getMessage());
        }
        sleepQuietly(Duration.ofSeconds(1));
      }
    }
    return null;
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void reportCannotStart(PodJob.CannotStartException e) {
    PodJob.reportCannotStart(env, e);
  }

  private String required(String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is not set (the operator sets it in a warm runner pod)");
    }
    return value;
  }
}
