package io.kubegrade.runner.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import io.kubegrade.runner.sink.AttemptSupersededException;
import io.kubegrade.runner.sink.EventSink;
import io.kubegrade.runner.sink.InboxEventSink;
import io.kubegrade.runner.sink.TerminationMessageSink;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One submission in its own pod (the operator's GradingJob): everything comes from the
 * environment the operator writes, the events go to the inbox (with the attempt's capability) and
 * the verdict also to the termination message.
 * When grading cannot even start (the source URL expired, Redis unreachable, the NetworkPolicy not
 * in force) the runner exits {@link RunnerContract#EXIT_CANNOT_START} with a plain-text
 * termination message, which the operator treats as an infrastructure failure and retries with a
 * fresh pod.
 */
public final class PodJob implements PodRun {
  static final int MAX_SOURCE_BYTES = 1 << 20;
  /** How long the pod's NetworkPolicy may take to be in force ({@link NetworkPolicyGate}). */
  static final Duration NETWORK_POLICY_BUDGET = Duration.ofSeconds(15);

  private final Map<String, String> env;
  /** When each phase of the run ended, in ms since the epoch: what the pod's start-up costs. */
  private final long created = System.currentTimeMillis();
  /** On a warm pod: how long it waited for this job (its start-up was paid before the job came); -1 otherwise. */
  private final long waitedMs;
  private long sourceFetched;
  private volatile long browserReady;
  private long graded;
  private boolean browserTaken;
  private Duration sandboxWait;

  public PodJob(Map<String, String> env) {
    this(env, -1);
  }

  /** The job a warm pod was given after waiting {@code waitedMs}: {@code env} holds the assignment. */
  PodJob(Map<String, String> env, long waitedMs) {
    this.env = env;
    this.waitedMs = waitedMs;
  }

  /**
   * Where the time went, for the pod's log: the JVM (process start to here); Redis and the source,
   * and the browser with its first page, both counted from here since they start together;
   * grading, from the later of the two.
   */
  @Override
  public String timeline() {
    long processStart = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(created);
    boolean warm = waitedMs >= 0;
    // A warm pod's job starts when it is given; its JVM and browser were ready before.
    long start = warm ? created : processStart;
    StringBuilder t = new StringBuilder(warm ? "timeline warm (waited " + waitedMs + "ms for the job)"
        : "timeline jvm=" + (created - processStart) + "ms");
    long last = created;
    if (sourceFetched != 0) {
      t.append(" source=").append(sourceFetched - created).append("ms");
      last = sourceFetched;
      if (browserReady > created) {
        t.append(" browser=").append(browserReady - created).append("ms");
        last = Math.max(last, browserReady);
      }
    }
    if (graded != 0) { // graded: the source and the browser were both there
      t.append(" grading=").append(graded - last).append("ms");
      last = graded;
    }
    if (sandboxWait != null) {
      t.append(" (network policy in force after ").append(sandboxWait.toMillis()).append("ms)");
    }
    return t.append(" total=").append(last - start).append("ms").toString();
  }

  /** What the pod did: graded (with the verdict), or found nothing to do (already graded, superseded). */
  public sealed interface Result {
    record Graded(Verdict verdict) implements Result {}

    record NothingToDo(String message) implements Result {}
  }

  /** Grades the submission of this pod's attempt, if that attempt still counts. */
  @Override
  public Result run() throws CannotStartException {
    String submissionId = required(RunnerContract.SUBMISSION_ID);
    Attempt attempt = attempt(submissionId);
    Challenge challenge = challenge(required(RunnerContract.CHALLENGE));
    // Checked while Redis, the source and the browser get ready; nothing of the submission runs before.
    CompletableFuture<Duration> sandboxed = sandbox(env);
    // The browser starts with the JVM's other work (Redis, the source): it runs nothing of the
    // submission until both are there and the sandbox is in force.
    CompletableFuture<GradingPool> browser = startBrowser(PoolSettings.fromEnvironment(env).withPrewarm(false).withoutPreparingAhead(),
        () -> browserReady = System.currentTimeMillis());
    RedisClient client = RedisConnections.client(redisUri(env), "runner");
    try (StatefulRedisConnection<String, String> redis = connect(client)) {
      return grade(submissionId, attempt, challenge, browser, sandboxed, redis);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** The NetworkPolicy check ({@link NetworkPolicyGate}), started now; done at once when not required. */
  static CompletableFuture<Duration> sandbox(Map<String, String> env) throws CannotStartException {
    NetworkPolicyGate gate = NetworkPolicyGate.fromEnvironment(env, NETWORK_POLICY_BUDGET);
    return gate == null ? CompletableFuture.completedFuture(Duration.ZERO)
        : CompletableFuture.supplyAsync(() -> {
          try {
            return gate.await();
          } catch (CannotStartException e) {
            throw new CompletionException(e);
          }
        });
  }

  /** One browser with its page prepared, started on its own thread; {@code ready} runs once it is. */
  static CompletableFuture<GradingPool> startBrowser(PoolSettings settings, Runnable ready) {
    return CompletableFuture.supplyAsync(() -> {
      GradingPool started = GradingPool.start(settings.withSize(1));
      ready.run();
      return started;
    }, r -> new Thread(r, "kubegrade-browser-start").start());
  }

  /**
   * Grades with the browser and sandbox check started before (now, or - on a warm pod - before the
   * job came), over {@code redis}; the browser is closed whatever happens.
   */
  Result grade(CompletableFuture<GradingPool> browser, CompletableFuture<Duration> sandboxed,
      StatefulRedisConnection<String, String> redis) throws CannotStartException {
    String submissionId = required(RunnerContract.SUBMISSION_ID);
    return grade(submissionId, attempt(submissionId), challenge(required(RunnerContract.CHALLENGE)), browser, sandboxed, redis);
  }

  private Result grade(String submissionId, Attempt attempt, Challenge challenge, CompletableFuture<GradingPool> browser,
      CompletableFuture<Duration> sandboxed, StatefulRedisConnection<String, String> redis) throws CannotStartException {
    Path terminationLog = terminationLog(env);
    try {
      if (redis.sync().exists(RedisLayout.doneKey(submissionId)) > 0) {
        // An earlier attempt, or the gateway giving up, concluded it; the operator reads which verdict.
        return nothingToDo(terminationLog, RunnerContract.ALREADY_GRADED);
      }
      try {
        InboxEventSink.requireCurrent(redis.sync(), attempt);
      } catch (AttemptSupersededException e) {
        return nothingToDo(terminationLog, RunnerContract.SUPERSEDED + ": " + e.getMessage());
      }
      String source = fetchSource(required(RunnerContract.SOURCE_URL));
      sourceFetched = System.currentTimeMillis();
      GradingRequest request = new GradingRequest(submissionId, challenge, source, 1);
      try (EventSink sink = EventSink.all(new InboxEventSink(redis, attempt), new TerminationMessageSink(terminationLog));
          GradingPool pool = started(browser)) {
        awaitSandbox(sandboxed);
        Verdict verdict = pool.submit(request, sink).join();
        graded = System.currentTimeMillis();
        return new Result.Graded(verdict);
      } catch (CompletionException e) {
        if (e.getCause() instanceof AttemptSupersededException superseded) {
          // A later attempt began while this one graded: its events are refused, it stops here.
          return nothingToDo(terminationLog, RunnerContract.SUPERSEDED + ": " + superseded.getMessage());
        }
        throw e;
      }
    } finally {
      if (!browserTaken) {
        // Nothing to grade, or grading could not start: the browser is stopped, not left behind.
        try {
          browser.join().close();
        } catch (RuntimeException ignored) {
          // it failed to start: nothing to stop
        }
      }
    }
  }

  /** The browser started beside the rest, once it is ready (the caller closes it); its failure to start is this job's. */
  private GradingPool started(CompletableFuture<GradingPool> browser) {
    browserTaken = true;
    try {
      return browser.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  static Result nothingToDo(Path terminationLog, String message) {
    write(terminationLog, message);
    return new Result.NothingToDo(message);
  }

  /** This pod's attempt and its capability, as the operator wrote them. */
  private Attempt attempt(String submissionId) {
    String number = required(RunnerContract.ATTEMPT);
    try {
      return new Attempt(submissionId, Long.parseLong(number.trim()), required(RunnerContract.ATTEMPT_TOKEN));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(RunnerContract.ATTEMPT + " must be an attempt number, got '" + number + "'");
    }
  }

  private void awaitSandbox(CompletableFuture<Duration> sandboxed) throws CannotStartException {
    try {
      sandboxWait = sandboxed.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof CannotStartException cannotStart) {
        throw cannotStart;
      }
      throw e;
    }
  }

  static RedisURI redisUri(Map<String, String> env) {
    RedisURI uri = RedisURI.create(env.getOrDefault(RunnerContract.REDIS_URL, "redis://127.0.0.1:6379"));
    String password = env.get(RunnerContract.REDIS_PASSWORD);
    if (password != null && !password.isEmpty()) {
      String user = env.get(RunnerContract.REDIS_USERNAME);
      if (user != null && !user.isEmpty()) {
        uri.setUsername(user);
      }
      uri.setPassword((CharSequence) password);
    }
    uri.setTimeout(Duration.ofSeconds(10));
    return uri;
  }

  static StatefulRedisConnection<String, String> connect(RedisClient client) throws CannotStartException {
    try {
      return client.connect();
    } catch (RuntimeException e) {
      throw new CannotStartException("cannot reach Redis: " + e.getMessage());
    }
  }

  private static Challenge challenge(String document) {
    try {
      return Json.mapper().readValue(document, Challenge.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("KUBEGRADE_CHALLENGE is not a valid challenge: " + e.getOriginalMessage());
    }
  }

  /** The source, from the short-lived presigned URL the operator wrote into the pod. */
  static String fetchSource(String url) throws CannotStartException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    try {
      HttpResponse<InputStream> response = http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new CannotStartException("the source URL answered HTTP " + response.statusCode()
              + (response.statusCode() == 403 ? " (expired?)" : ""));
        }
        byte[] bytes = body.readNBytes(MAX_SOURCE_BYTES + 1);
        if (bytes.length > MAX_SOURCE_BYTES) {
          throw new CannotStartException("the source is larger than " + MAX_SOURCE_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new CannotStartException("cannot fetch the source: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CannotStartException("interrupted while fetching the source");
    }
  }

  @Override
  public void reportCannotStart(CannotStartException e) {
    reportCannotStart(env, e);
  }

  /** Writes why grading could not start to the termination log {@code env} names. */
  static void reportCannotStart(Map<String, String> env, CannotStartException e) {
    write(terminationLog(env), "kubegrade: " + e.getMessage());
  }

  /** Where the operator reads the pod's outcome: the path {@code env} names, else the kubelet's default. */
  static Path terminationLog(Map<String, String> env) {
    return Path.of(env.getOrDefault(RunnerContract.TERMINATION_LOG, RunnerContract.DEFAULT_TERMINATION_LOG));
  }

  private static void write(Path terminationLog, String message) {
    try {
      Files.writeString(terminationLog, message, StandardCharsets.UTF_8);
    } catch (IOException ignored) {
      // the exit code still tells the operator
    }
  }

  private String required(String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is not set (the operator sets it in the runner pod)");
    }
    return value;
  }

  /** Grading could not begin; nothing was published. */
  public static final class CannotStartException extends Exception {
    public CannotStartException(String message) {
      super(message);
    }
  }
}
