package io.kubegrade.gateway.bench;

import io.kubegrade.api.job.QueuedJob;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.PendingMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runner's warm queue workers grading for the platform under test ({@code kubegrade-runner
 * worker}, one browser each, as separate processes - the shape of queue mode in Kubernetes), started,
 * killed and paused by the rounds. Each start has a new worker id (a killed worker's pending job
 * must be taken over, not resumed by a namesake). Their logs are {@code $KUBEGRADE_DATA/logs/ID.log}.
 */
final class QueueWorkers implements AutoCloseable {
  private final PlatformProcesses processes;
  private final Path data;
  private final Path jar;
  private final String redisUrl;
  private final Map<String, Process> running = new LinkedHashMap<>();
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> redis;
  private int started;

  QueueWorkers(PlatformProcesses processes, Path data, Path jar, int redisPort) {
    this.processes = processes;
    this.data = data;
    this.jar = jar;
    this.redisUrl = "redis://127.0.0.1:" + redisPort;
    this.client = RedisClient.create(redisUrl);
    this.redis = client.connect();
  }

  /** Starts a worker and waits until it takes jobs; returns its id. */
  synchronized String start() throws IOException {
    String id = "worker-" + started++;
    Path workDir = data.resolve("runner").resolve(id);
    Files.createDirectories(workDir);
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.put("KUBEGRADE_POOL_SIZE", "1");
    env.put("KUBEGRADE_WORK_DIR", workDir.toString());
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = processes.start(new PlatformProcesses.Template(
        List.of(java, "-jar", jar.toString(), "worker", "--redis", redisUrl, "--worker-id", id), env, data), id);
    running.put(id, p);
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!log(id).contains("worker " + id + " takes jobs")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("worker " + id + " did not start; see " + logFile(id) + ":\n" + log(id));
      }
      PlatformProcesses.sleep(100);
    }
    return id;
  }

  synchronized Process process(String id) {
    return running.get(id);
  }

  /** The worker holding the job of this submission's current attempt (waiting up to 5 s for it to show). */
  String holder(String submissionId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> found = pendingHolder(submissionId);
      if (found.isPresent()) {
        return found.get();
      }
      PlatformProcesses.sleep(20);
    }
    throw new IllegalStateException("no worker holds the job of " + submissionId);
  }

  private Optional<String> pendingHolder(String submissionId) {
    List<PendingMessage> pending = redis.sync().xpending(RedisLayout.JOB_STREAM, RedisLayout.RUNNERS_GROUP,
        Range.create("-", "+"), Limit.from(100));
    for (PendingMessage m : pending) {
      List<StreamMessage<String, String>> job = redis.sync().xrange(RedisLayout.JOB_STREAM, Range.create(m.getId(), m.getId()));
      if (!job.isEmpty() && running.containsKey(m.getConsumer())
          && QueuedJob.parse(job.get(0).getBody()).attempt().submissionId().equals(submissionId)) {
        return Optional.of(m.getConsumer());
      }
    }
    return Optional.empty();
  }

  /**
   * The browser processes a worker started that are still alive: each carries the tag its
   * runner's browser watcher kills by, {@code KUBEGRADE_BROWSER=<work dir>/b-<worker pid>-...}.
   */
  long browsersLeftBy(String id, long pid) {
    String tag = "KUBEGRADE_BROWSER=" + data.resolve("runner").resolve(id).resolve("b-" + pid + "-");
    return ProcessHandle.allProcesses().filter(p -> PlatformProcesses.read(p.pid(), "environ").contains(tag)).count();
  }

  Path logFile(String id) {
    return data.resolve("logs").resolve(id + ".log");
  }

  String log(String id) {
    try {
      return Files.exists(logFile(id)) ? Files.readString(logFile(id)) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    redis.close();
    client.shutdown();
  }
}
