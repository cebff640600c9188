package io.kubegrade.runner.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.InvalidChallengeException;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.runner.browser.BrowserCrashedException;
import io.kubegrade.runner.job.PodJob;
import io.kubegrade.runner.job.PodRun;
import io.kubegrade.runner.job.WarmPodJob;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import io.kubegrade.runner.queue.QueueSettings;
import io.kubegrade.runner.queue.QueueWorker;
import io.kubegrade.runner.sink.EventSink;
import io.kubegrade.runner.sink.RedisEventSink;
import io.kubegrade.runner.sink.TerminationMessageSink;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/** The runner's command line: {@code grade} one file, or {@code verify} challenge directories. */
public final class RunnerMain {
  static final int OK = RunnerContract.EXIT_GRADED;
  static final int MISMATCH = 1;
  static final int USAGE = RunnerContract.EXIT_USAGE;
  static final int INTERNAL = RunnerContract.EXIT_INTERNAL_ERROR;

  private static final String USAGE_TEXT = """
      usage:
        kubegrade-runner grade --challenge <challenge.yaml|dir> <solution.jsx>
              [--submission-id ID] [--first-seq N] [--events]
              [--redis redis://host:6379] [--termination-log /dev/termination-log]
            Grades one file and prints the verdict as JSON. Exit 0 when graded (whatever the
            verdict), 3 on INTERNAL_ERROR, 2 on bad input.
        kubegrade-runner worker [--redis redis://host:6379] [--worker-id ID]
            Runs a warm pool of KUBEGRADE_POOL_SIZE browsers fed by the Redis job stream until
            stopped (SIGTERM drains the jobs in flight first).
        kubegrade-runner job
            Grades the one submission a GradingJob's pod describes in its environment
            (KUBEGRADE_SUBMISSION_ID, KUBEGRADE_CHALLENGE, KUBEGRADE_SOURCE_URL, KUBEGRADE_REDIS_*):
            events to Redis, verdict also to the termination message. Exit 0 when graded, 3 on
            INTERNAL_ERROR, 4 when grading could not start (the operator retries).
        kubegrade-runner warm
            A warm pod of the operator's pool: starts its browser, then waits for the one job the
            operator gives it under KUBEGRADE_WARM_TOKEN, grades it as 'job' does, and exits with
            the same codes (0 too when no job came within KUBEGRADE_WARM_MAX_WAIT_SECONDS).
        kubegrade-runner verify <challenge dir or catalogue root>...
            Grades every solution under <dir>/solutions/<EXPECTED_VERDICT>/ and checks each gets
            the verdict its folder names. Exit 0 when all match, 1 otherwise.

        kubegrade-runner redis-acl [pod|worker]
            Prints the ACL rules of the Redis user runner pods (or warm queue workers) log in as
            (ACL SETUSER <name> <rules> ><password>).

      environment: KUBEGRADE_POOL_SIZE, KUBEGRADE_CHROMIUM, KUBEGRADE_CHROMEDRIVER, KUBEGRADE_WORK_DIR,
        KUBEGRADE_JS_HEAP_MB, KUBEGRADE_REDIS_URL, KUBEGRADE_TERMINATION_LOG (see docs/runner.md)
      """;

  private RunnerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).print(USAGE_TEXT);
      return args.length == 0 ? USAGE : OK;
    }
    try {
      return switch (args[0]) {
        case "grade" -> grade(List.of(args).subList(1, args.length), env, out, err);
        case "job" -> pod(new PodJob(env), out, err);
        case "warm" -> pod(new WarmPodJob(env), out, err);
        case "worker" -> worker(List.of(args).subList(1, args.length), env, err);
        case "verify" -> verify(List.of(args).subList(1, args.length), env, out, err);
        case "redis-acl" -> {
          if (args.length == 1 || args.length == 2 && args[1].equals("pod")) {
            out.println(RedisLayout.RUNNER_ACL);
            yield OK;
          }
          if (args.length == 2 && args[1].equals("worker")) {
            out.println(RedisLayout.WORKER_ACL);
            yield OK;
          }
          yield usage(err, "redis-acl takes 'pod' (the default) or 'worker'");
        }
        default -> usage(err, "unknown command '" + args[0] + "'");
      };
    } catch (InvalidChallengeException | IllegalArgumentException e) {
      err.println("kubegrade-runner: " + e.getMessage());
      return USAGE;
    } catch (UncheckedIOException e) {
      err.println("kubegrade-runner: " + e.getMessage() + ": " + e.getCause().getMessage());
      return USAGE;
    } catch (BrowserCrashedException e) {
      err.println("kubegrade-runner: " + e.getMessage());
      return INTERNAL;
    }
  }

  private static int grade(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    String challenge = null;
    String source = null;
    String submissionId = "local-" + UUID.randomUUID();
    long firstSeq = 1;
    boolean printEvents = false;
    String redis = env.get("KUBEGRADE_REDIS_URL");
    String terminationLog = env.get("KUBEGRADE_TERMINATION_LOG");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--challenge" -> challenge = value(args, ++i, a);
        case "--submission-id" -> submissionId = value(args, ++i, a);
        case "--first-seq" -> firstSeq = Long.parseLong(value(args, ++i, a));
        case "--redis" -> redis = value(args, ++i, a);
        case "--termination-log" -> terminationLog = value(args, ++i, a);
        case "--events" -> printEvents = true;
        default -> {
          if (a.startsWith("--") || source != null) {
            return usage(err, "unexpected argument '" + a + "'");
          }
          source = a;
        }
      }
    }
    if (challenge == null || source == null) {
      return usage(err, "grade needs --challenge and a solution file");
    }
    ChallengeDirectory dir = ChallengeDirectory.load(Path.of(challenge));
    String code = read(Path.of(source));
    List<EventSink> sinks = new ArrayList<>();
    if (printEvents) {
      sinks.add(event -> err.println(event.toJson()));
    }
    if (redis != null && !redis.isBlank()) {
      sinks.add(RedisEventSink.connect(redis));
    }
    if (terminationLog != null && !terminationLog.isBlank()) {
      sinks.add(new TerminationMessageSink(Path.of(terminationLog)));
    }
    GradingRequest request = new GradingRequest(submissionId, dir.challenge(), code, firstSeq);
    try (EventSink sink = EventSink.all(sinks.toArray(EventSink[]::new));
        GradingPool pool = GradingPool.start(PoolSettings.fromEnvironment(env).withSize(1).withPrewarm(false)
            .withoutPreparingAhead())) {
      if (firstSeq == 1) {
        sink.publish(new EventSequence(submissionId, 1).queued());
        request = new GradingRequest(submissionId, dir.challenge(), code, 2);
      }
      Verdict verdict = pool.submit(request, sink).join();
      out.println(Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(verdict));
      return verdict.status() == VerdictStatus.INTERNAL_ERROR ? INTERNAL : OK;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A runner pod's one job ({@code job} or {@code warm} mode), with the exit codes of RunnerContract. */
  private static int pod(PodRun job, PrintStream out, PrintStream err) {
    try {
      PodJob.Result result = job.run();
      err.println("kubegrade-runner: " + job.timeline());
      return finished(result, out);
    } catch (PodJob.CannotStartException e) {
      err.println("kubegrade-runner: " + e.getMessage());
      job.reportCannotStart(e);
      return RunnerContract.EXIT_CANNOT_START;
    }
  }

  private static int finished(PodJob.Result result, PrintStream out) {
    if (result instanceof PodJob.Result.NothingToDo nothing) {
      out.println(nothing.message() + "; nothing to do");
      return OK;
    }
    Verdict verdict = ((PodJob.Result.Graded) result).verdict();
    out.println(verdict.toBoundedJson(TerminationMessageSink.MAX_BYTES));
    return verdict.status() == VerdictStatus.INTERNAL_ERROR ? INTERNAL : OK;
  }

  private static int worker(List<String> args, Map<String, String> env, PrintStream err) {
    String redis = env.getOrDefault("KUBEGRADE_REDIS_URL", "redis://127.0.0.1:6379");
    String workerId = env.getOrDefault("KUBEGRADE_WORKER_ID", hostName() + "-" + ProcessHandle.current().pid());
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--redis" -> redis = value(args, ++i, a);
        case "--worker-id" -> workerId = value(args, ++i, a);
        default -> {
          return usage(err, "unexpected argument '" + a + "'");
        }
      }
    }
    RedisClient client = RedisConnections.client(redis, "worker");
    GradingPool pool = GradingPool.start(PoolSettings.fromEnvironment(env));
    QueueWorker worker = QueueWorker.start(client, pool, QueueSettings.defaults(workerId));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      pool.close();
      client.shutdown();
      stopped.countDown();
    }, "kubegrade-worker-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OK;
  }

  private static String hostName() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "worker" : host;
  }

  private static int verify(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      return usage(err, "verify needs at least one challenge directory");
    }
    List<ChallengeDirectory> dirs = new ArrayList<>();
    for (String a : args) {
      Path p = Path.of(a);
      dirs.addAll(Files.isRegularFile(p.resolve("challenge.yaml")) || Files.isRegularFile(p)
          ? List.of(ChallengeDirectory.load(p)) : ChallengeDirectory.loadAll(p));
    }
    if (dirs.isEmpty()) {
      return usage(err, "no challenge.yaml found under " + args);
    }
    PoolSettings settings = PoolSettings.fromEnvironment(env);
    try (GradingPool pool = GradingPool.start(settings)) {
      List<ChallengeVerifier.Outcome> outcomes = new ChallengeVerifier(pool).verify(dirs);
      outcomes.forEach(o -> out.println(o.describe()));
      long failed = outcomes.stream().filter(o -> !o.matches()).count();
      out.println(outcomes.size() - failed + " passed, " + failed + " failed");
      return failed == 0 ? OK : MISMATCH;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String value(List<String> args, int i, String flag) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(i);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("kubegrade-runner: " + problem);
    err.print(USAGE_TEXT);
    return USAGE;
  }
}
