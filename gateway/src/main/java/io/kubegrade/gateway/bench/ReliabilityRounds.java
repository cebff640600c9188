package io.kubegrade.gateway.bench;

import static io.kubegrade.gateway.bench.BenchResults.result;

import static com.mongodb.client.model.Filters.eq;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * Faults and load against a running local platform, from the outside, each checked for what the
 * platform promises (docs/reliability.md): every submission ends with exactly one terminal event,
 * its stream gap-free and duplicate-free from seq 1 (across reconnects), and MongoDB records that
 * same verdict exactly once. The platform's gateway runs no runner of its own: two queue workers
 * ({@link QueueWorkers}, one browser each) grade, as in Kubernetes' queue mode, so that a worker can
 * be killed or paused. Run by scripts/reliability.sh; prints RESULT lines.
 * usage: ReliabilityRounds <base-url> <data-dir> <solution.jsx> <burst N> <rounds of each fault> <runner jar>
 */
public final class ReliabilityRounds {
  /** Submissions in flight in each round of the gateway, Redis and backing-service faults. */
  private static final int IN_FLIGHT = 4;
  /**
   * The same accepted solution, slow: its label changes 0.6 s after the click (within the default
   * step timeout of 1 s), so a worker stopped at STARTED is stopped mid-grading, events still to come.
   */
  static final String SLOW_SOLUTION = """
      import React, { useState } from 'react';

      export default function App() {
        const [clicked, setClicked] = useState(false);
        return <button onClick={() => setTimeout(() => setClicked(true), 600)}>{clicked ? 'Clicked' : 'Click me'}</button>;
      }
      """;
  private static PlatformClient platform;
  private static PlatformProcesses processes;
  private static QueueWorkers workers;
  private static MongoCollection<Document> stored;

  private ReliabilityRounds() {}

  public static void main(String[] args) throws Exception {
    platform = new PlatformClient(args[0]);
    Path data = Path.of(args[1]);
    String source = Files.readString(Path.of(args[2]));
    int burst = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    Path runnerJar = Path.of(args[5]).toAbsolutePath();

    try (PlatformProcesses ps = new PlatformProcesses(data);
        MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + System.getenv("KUBEGRADE_MONGO_PORT") + "/");
        QueueWorkers ws = new QueueWorkers(ps, data, runnerJar, Integer.parseInt(System.getenv("KUBEGRADE_REDIS_PORT")))) {
      processes = ps;
      workers = ws;
      stored = mongo.getDatabase("kubegrade").getCollection("submissions");
      ws.start();
      ws.start();
      String warm = platform.token("warmup");
      platform.verdict(warm, platform.submit(warm, source), 1).get(60, TimeUnit.SECONDS);

      if (runs("burst")) {
        burst(source, burst);
      }
      if (runs("browser_kill")) {
        browsersFailWhileGrading(source, rounds, "browser_kill", "SIGKILLed", pids -> signal("KILL", pids));
      }
      if (runs("browser_freeze")) {
        browsersFailWhileGrading(source, rounds, "browser_freeze", "frozen (SIGSTOP) for 10 s", pids -> {
          signal("STOP", pids);
          Thread.sleep(10_000);
          signal("CONT", pids);
        });
      }
      if (runs("worker_kill")) {
        workersKilledWhileGrading(rounds);
      }
      if (runs("worker_pause")) {
        workersPausedPastTheirClaim(rounds);
      }
      if (runs("gateway_kill")) {
        gatewaysKilledWhileStreaming(source, rounds);
      }
      if (runs("redis_restart")) {
        redisFails(source, rounds, "redis_restart", "restarted (SIGTERM, then started again on its append-only file)", () -> {
          processes.stop(processes.redis());
          processes.startRedis();
        });
      }
      if (runs("redis_freeze")) {
        redisFails(source, rounds, "redis_freeze", "unreachable (SIGSTOP) for 10 s", () -> {
          List<Long> redis = List.of(processes.redis());
          signal("STOP", redis);
          Thread.sleep(10_000);
          signal("CONT", redis);
        });
      }
      if (runs("mongo_down")) {
        backingServiceDown(source, rounds, "mongo_down", "FerretDB (MongoDB)", cmd -> cmd.contains("ferretdb"), "ferretdb");
      }
      if (runs("s3_down")) {
        backingServiceDown(source, rounds, "s3_down", "MinIO (S3)", cmd -> cmd.contains("minio"), "minio");
      }
    }
  }

  /** Whether a round runs: all of them, unless KUBEGRADE_ROUNDS lists some (comma-separated names). */
  private static boolean runs(String round) {
    String only = System.getenv("KUBEGRADE_ROUNDS");
    return only == null || only.isBlank() || List.of(only.split(",")).contains(round);
  }

  private interface Fault {
    void apply(List<Long> pids) throws Exception;
  }

  private static void signal(String name, List<Long> pids) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", "-" + name));
    pids.forEach(p -> command.add(Long.toString(p)));
    new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
  }

  /** Learners submitting at once in the burst: how many requests are open at a time. */
  private static final int BURST_CLIENTS = 16;

  /** N submissions at once (16 learners' requests open at a time), one stream each; peak memory of every process while they are graded. */
  private static void burst(String source, int n) throws Exception {
    PeakMemory memory = PeakMemory.start();
    long t0 = System.nanoTime();
    Map<String, String> tokens = new ConcurrentHashMap<>();
    Map<String, CompletableFuture<List<GradingEvent>>> streams = new ConcurrentHashMap<>();
    AtomicLong refusedCount = new AtomicLong();
    ExecutorService learners = Executors.newFixedThreadPool(BURST_CLIENTS);
    List<Future<?>> submitted = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String learner = "burst-" + i;
      submitted.add(learners.submit(() -> {
        try {
          String token = platform.token(learner);
          String id = platform.submit(token, source);
          tokens.put(id, token);
          streams.put(id, platform.stream(token, id, e -> {}));
        } catch (IllegalStateException e) {
          refusedCount.incrementAndGet();
          System.err.println("reliability: " + e.getMessage());
        }
        return null;
      }));
    }
    for (var f : submitted) {
      f.get(5, TimeUnit.MINUTES);
    }
    learners.shutdown();
    int refused = (int) refusedCount.get();
    long submittedMs = (System.nanoTime() - t0) / 1_000_000;
    Outcomes outcomes = new Outcomes();
    for (var entry : streams.entrySet()) {
      outcomes.check(entry.getKey(), tokens.get(entry.getKey()), entry.getValue(), 15);
    }
    long allMs = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Long> peaks = memory.stop();
    result("burst_submitted", n - refused, "of " + n + " accepted (202) in " + submittedMs + " ms; " + refused + " refused");
    outcomes.report("burst", allMs);
    for (var peak : peaks.entrySet()) {
      result("burst_peak_rss_" + peak.getKey(), peak.getValue() >> 20, "MiB | peak resident memory of " + peak.getKey()
          + " while the burst was graded (sampled every 200 ms)");
    }
  }

  /**
   * Applies a fault to every browser of the workers (Chromium's main processes and their
   * chromedriver) once the submission has STARTED, then checks it still ends once: retried on a
   * fresh browser, or INTERNAL_ERROR - never stuck, never twice.
   */
  private static void browsersFailWhileGrading(String source, int rounds, String round, String what, Fault fault)
      throws Exception {
    Outcomes outcomes = new Outcomes();
    int hit = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      Started s = Started.submit(round + "-" + i, source);
      List<Long> pids = browsers();
      hit += pids.size();
      fault.apply(pids);
      outcomes.check(s.id(), s.token(), s.stream(), 3);
    }
    result(round + "_rounds", rounds, "rounds, " + hit + " Chromium and chromedriver processes " + what + " after STARTED");
    outcomes.report(round, (System.nanoTime() - t0) / 1_000_000);
  }

  /** A submission of a new learner, its stream open, once it has STARTED. */
  private record Started(String id, String token, CompletableFuture<List<GradingEvent>> stream) {
    static Started submit(String learner, String source) throws Exception {
      String token = platform.token(learner);
      String id = platform.submit(token, source);
      CompletableFuture<Void> started = new CompletableFuture<>();
      CompletableFuture<List<GradingEvent>> stream = platform.stream(token, id, e -> {
        if (e.type() == EventType.STARTED) {
          started.complete(null);
        }
      });
      started.get(60, TimeUnit.SECONDS);
      return new Started(id, token, stream);
    }
  }

  /** The workers' Chromium main processes and chromedriver (their renderers die with them). */
  private static List<Long> browsers() {
    return ProcessHandle.allProcesses().filter(p -> {
      String cmd = PlatformProcesses.commandLine(p.pid());
      return (cmd.contains("chromium") || cmd.contains("chromedriver")) && !cmd.contains("--type=") && processes.belongs(p.pid(), cmd);
    }).map(ProcessHandle::pid).toList();
  }

  private interface Action {
    void run() throws Exception;
  }

  /**
   * The worker grading a submission SIGKILLed once it has STARTED (a replacement worker started at
   * once, as a Deployment would): the gateway takes the job over after its takeover idle time, the
   * other worker grades it as attempt 2, and the killed worker's browsers went with it.
   */
  private static void workersKilledWhileGrading(int rounds) throws Exception {
    Outcomes outcomes = new Outcomes();
    long leftBehind = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      Started s = Started.submit("worker-kill-" + i, SLOW_SOLUTION);
      String victim = workers.holder(s.id());
      Process p = workers.process(victim);
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      workers.start();
      List<GradingEvent> events = outcomes.check(s.id(), s.token(), s.stream(), 3);
      outcomes.requireTakenOver(events);
      // The browser watcher reaps within a second of its JVM's death; the check came much later.
      leftBehind += workers.browsersLeftBy(victim, p.pid());
    }
    result("worker_kill_rounds", rounds, "rounds, the grading worker SIGKILLed after STARTED, a new worker started");
    result("worker_kill_browsers_left", leftBehind, "browser processes of the killed workers still alive after the verdict");
    outcomes.report("worker_kill", (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * The worker grading a submission stopped (SIGSTOP) once it has STARTED, past the takeover idle
   * time, and resumed (SIGCONT) the moment attempt 2 has started on the other worker - the stale
   * writer, awake while the new attempt grades: its events are refused, it stops grading and says
   * why in its log, and it goes on taking jobs.
   */
  private static void workersPausedPastTheirClaim(int rounds) throws Exception {
    Outcomes outcomes = new Outcomes();
    int saidWhy = 0;
    int aliveAfter = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      String token = platform.token("worker-pause-" + i);
      String id = platform.submit(token, SLOW_SOLUTION);
      CompletableFuture<Void> started = new CompletableFuture<>();
      CompletableFuture<Void> restarted = new CompletableFuture<>();
      AtomicLong starts = new AtomicLong();
      CompletableFuture<List<GradingEvent>> stream = platform.stream(token, id, e -> {
        if (e.type() == EventType.STARTED) {
          (starts.incrementAndGet() == 1 ? started : restarted).complete(null);
        }
      });
      started.get(60, TimeUnit.SECONDS);
      String stale = workers.holder(id);
      List<Long> pid = List.of(workers.process(stale).pid());
      signal("STOP", pid);
      try {
        restarted.get(2, TimeUnit.MINUTES);
      } finally {
        signal("CONT", pid);
      }
      List<GradingEvent> events = outcomes.check(id, token, stream, 3);
      outcomes.requireTakenOver(events);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!saysItStopped(stale, id) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      if (saysItStopped(stale, id)) {
        saidWhy++;
      }
      if (workers.process(stale).isAlive()) {
        aliveAfter++;
      }
    }
    result("worker_pause_rounds", rounds, "rounds, the grading worker stopped (SIGSTOP) after STARTED and resumed once attempt 2 STARTED");
    result("worker_pause_said_why", saidWhy, "stale workers whose log says their attempt no longer counts");
    result("worker_pause_alive", aliveAfter, "stale workers still running (taking jobs) afterwards");
    outcomes.report("worker_pause", (System.nanoTime() - t0) / 1_000_000);
  }

  private static boolean saysItStopped(String worker, String submissionId) {
    return workers.log(worker).lines().anyMatch(l -> l.contains(submissionId) && l.contains("no longer counts"));
  }

  /**
   * Gateways killed (SIGKILL) while their clients stream and verdicts are in flight: two more
   * gateways are started beside the platform's own (same Redis, MongoDB and S3; no runner of
   * their own, as in Kubernetes); each round submits through one and streams from it, kills it at
   * the first STARTED (odd rounds) or the first VERDICT (even rounds), and every client resumes
   * on the other from the last seq it had; the killed gateway is started again for the next round.
   */
  private static void gatewaysKilledWhileStreaming(String source, int rounds) throws Exception {
    PlatformProcesses.Template platformGateway = processes.template(ReliabilityRounds::isPlatformGateway);
    int port = Integer.parseInt(System.getenv("KUBEGRADE_PORT"));
    int rsocket = Integer.parseInt(System.getenv("KUBEGRADE_RSOCKET_PORT"));
    PlatformProcesses.Template[] templates = new PlatformProcesses.Template[2];
    Process[] gateways = new Process[2];
    PlatformClient[] clients = new PlatformClient[2];
    for (int g = 0; g < 2; g++) {
      templates[g] = platformGateway.with(Map.of("--server.port=", Integer.toString(port + 1 + g),
          "--kubegrade.stream.rsocket-tcp-port=", Integer.toString(rsocket + 1 + g),
          "--kubegrade.instance-id=", "replica-" + g, "--kubegrade.runner.embedded-pool-size=", "0"));
      gateways[g] = processes.start(templates[g], "gateway-replica-" + g);
      clients[g] = new PlatformClient("http://127.0.0.1:" + (port + 1 + g));
    }
    for (PlatformClient c : clients) {
      PlatformProcesses.awaitReady(c.base(), Duration.ofMinutes(2));
    }
    Outcomes outcomes = new Outcomes();
    List<Long> restarts = new ArrayList<>();
    int resumed = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      int victim = i % 2;
      PlatformClient doomed = clients[victim];
      PlatformClient other = clients[1 - victim];
      EventType killAt = i % 2 == 0 ? EventType.STARTED : EventType.VERDICT;
      CompletableFuture<Void> moment = new CompletableFuture<>();
      List<Resumable> streams = new ArrayList<>();
      for (int j = 0; j < IN_FLIGHT; j++) {
        String token = doomed.token("gateway-kill-" + i + "-" + j);
        String id = doomed.submit(token, source);
        streams.add(new Resumable(doomed, token, id, e -> {
          if (e.type() == killAt) {
            moment.complete(null);
          }
        }));
      }
      moment.get(2, TimeUnit.MINUTES);
      gateways[victim].destroyForcibly();
      gateways[victim].waitFor(30, TimeUnit.SECONDS);
      for (Resumable r : streams) {
        if (r.resumeOn(other)) {
          resumed++;
        }
      }
      for (Resumable r : streams) {
        outcomes.check(r.id, r.token, r.whole, 3);
      }
      long restart = System.nanoTime();
      gateways[victim] = processes.start(templates[victim], "gateway-replica-" + victim);
      PlatformProcesses.awaitReady(doomed.base(), Duration.ofMinutes(2));
      restarts.add((System.nanoTime() - restart) / 1_000_000);
    }
    result("gateway_kill_rounds", rounds, "rounds, a gateway SIGKILLed with " + IN_FLIGHT + " clients streaming from it (at the first"
        + " STARTED or the first VERDICT)");
    result("gateway_kill_resumed", resumed, "streams resumed on the other gateway from their last seq (the rest had their verdict)");
    outcomes.report("gateway_kill", (System.nanoTime() - t0) / 1_000_000);
    restarts.sort(null);
    result("gateway_kill_restart_p50", restarts.get(restarts.size() / 2), "ms for a killed gateway to be ready again");
  }

  private static boolean isPlatformGateway(String commandLine) {
    return commandLine.contains("kubegrade-gateway-exec.jar") && commandLine.contains("--kubegrade.instance-id=local");
  }

  /**
   * A WebSocket client that resumes where it was: the events it had before its gateway died, then
   * those after its last seq from another gateway. {@link #whole} completes with both.
   */
  private static final class Resumable {
    final String token;
    final String id;
    final CompletableFuture<List<GradingEvent>> whole = new CompletableFuture<>();
    private final List<GradingEvent> before = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong last = new AtomicLong();
    private final CompletableFuture<List<GradingEvent>> first;

    Resumable(PlatformClient gateway, String token, String id, Consumer<GradingEvent> onEvent) {
      this.token = token;
      this.id = id;
      this.first = gateway.stream(token, id, e -> {
        before.add(e);
        last.set(e.seq());
        onEvent.accept(e);
      });
    }

    /** Resumes on {@code gateway} if the first connection broke before the verdict; true if it did. */
    boolean resumeOn(PlatformClient gateway) {
      try {
        whole.complete(first.get(10, TimeUnit.SECONDS));
        return false;
      } catch (Exception broken) {
        List<GradingEvent> had = List.copyOf(before);
        long after = had.isEmpty() ? 0 : had.get(had.size() - 1).seq();
        gateway.stream(token, id, after, e -> {}).whenComplete((rest, error) -> {
          if (error != null) {
            whole.completeExceptionally(error);
          } else {
            List<GradingEvent> all = new ArrayList<>(had);
            all.addAll(rest);
            whole.complete(all);
          }
        });
        return true;
      }
    }
  }

  /** {@value #IN_FLIGHT} submissions, each streamed from the start, STARTED for at least one. */
  private static final class InFlight {
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<List<GradingEvent>>> streams = new LinkedHashMap<>();

    static InFlight submit(String source, String users) throws Exception {
      InFlight inFlight = new InFlight();
      CompletableFuture<Void> started = new CompletableFuture<>();
      for (int j = 0; j < IN_FLIGHT; j++) {
        String token = platform.token(users + "-" + j);
        String id = platform.submit(token, source);
        inFlight.tokens.put(id, token);
        inFlight.streams.put(id, platform.stream(token, id, e -> {
          if (e.type() == EventType.STARTED) {
            started.complete(null);
          }
        }));
      }
      started.get(2, TimeUnit.MINUTES);
      return inFlight;
    }

    void add(String token, String id) {
      tokens.put(id, token);
      streams.put(id, platform.stream(token, id, e -> {}));
    }

    void check(Outcomes outcomes) throws Exception {
      for (var s : streams.entrySet()) {
        outcomes.check(s.getKey(), tokens.get(s.getKey()), s.getValue(), 3);
      }
    }
  }

  /**
   * Redis fails while {@value #IN_FLIGHT} submissions are being graded (at the first STARTED):
   * the gateway's subscription, its streams and the embedded runner's publishing must all come
   * back, with nothing published meanwhile lost.
   */
  private static void redisFails(String source, int rounds, String round, String what, Action fault) throws Exception {
    Outcomes outcomes = new Outcomes();
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      InFlight inFlight = InFlight.submit(source, round + "-" + i);
      fault.run();
      inFlight.check(outcomes);
    }
    result(round + "_rounds", rounds, "rounds, Redis " + what + " with " + IN_FLIGHT + " submissions in flight");
    outcomes.report(round, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * A backing service stopped (SIGTERM) while submissions are in flight; submissions made during
   * the outage must be refused fast with a 503 problem and Retry-After and leave nothing stored;
   * once it is back, new submissions are taken (the time to the first is measured) and those in
   * flight end once and are recorded.
   */
  private static void backingServiceDown(String source, int rounds, String round, String what, Predicate<String> process,
      String log) throws Exception {
    Outcomes outcomes = new Outcomes();
    Map<String, Integer> answers = new TreeMap<>();
    List<Long> refusedMs = new ArrayList<>();
    List<Long> recoveryMs = new ArrayList<>();
    int leftovers = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      InFlight inFlight = InFlight.submit(source, round + "-" + i);
      PlatformProcesses.Template template = processes.template(process);
      processes.stop(processes.pid(process));
      String refusedUser = round + "-refused-" + i;
      String refusedToken = platform.token(refusedUser);
      for (int j = 0; j < 2; j++) {
        long t = System.nanoTime();
        HttpResponse<String> answer = platform.trySubmit(refusedToken, source);
        refusedMs.add((System.nanoTime() - t) / 1_000_000);
        String kind = answer.statusCode() + (answer.statusCode() == 503
            && answer.body().contains("service-unavailable") && answer.headers().firstValue("Retry-After").isPresent()
            ? " service-unavailable with Retry-After" : " " + answer.body().replaceAll("\\s+", " "));
        answers.merge(kind.length() > 160 ? kind.substring(0, 160) : kind, 1, Integer::sum);
      }
      // Back: started again, and taking submissions as soon as it answers.
      long back = System.nanoTime();
      processes.start(template, log);
      String againToken = platform.token(round + "-again-" + i);
      for (int attempt = 0; ; attempt++) {
        HttpResponse<String> answer = platform.trySubmit(againToken, source);
        if (answer.statusCode() == 202) {
          inFlight.add(againToken, Json.mapper().readTree(answer.body()).get("id").asText());
          break;
        }
        if (attempt == 300) {
          throw new IllegalStateException(what + " did not come back: " + answer.statusCode() + " " + answer.body());
        }
        Thread.sleep(200);
      }
      recoveryMs.add((System.nanoTime() - back) / 1_000_000);
      inFlight.check(outcomes);
      // Nothing of the refused submissions is stored: their user has none (once MongoDB answers).
      for (int attempt = 0; ; attempt++) {
        try {
          JsonNode mine = platform.mine(refusedToken);
          if (mine.has("items")) {
            leftovers += mine.get("items").size();
            break;
          }
        } catch (IOException e) {
          // not back yet
        }
        if (attempt == 100) {
          throw new IllegalStateException(what + " did not come back");
        }
        Thread.sleep(200);
      }
    }
    refusedMs.sort(null);
    result(round + "_rounds", rounds, "rounds, " + what + " stopped with " + IN_FLIGHT + " submissions in flight, then started again");
    result(round + "_refused", refusedMs.size(), "submissions during the outage answered " + answers);
    result(round + "_refused_p50", refusedMs.get(refusedMs.size() / 2), "ms to answer a submission during the outage; max "
        + refusedMs.get(refusedMs.size() - 1) + " ms");
    result(round + "_leftovers", leftovers, "submissions stored for the users whose submissions were refused");
    recoveryMs.sort(null);
    result(round + "_recovery_p50", recoveryMs.get(recoveryMs.size() / 2), "ms from starting " + what
        + " again to the next submission accepted; max " + recoveryMs.get(recoveryMs.size() - 1) + " ms");
    outcomes.report(round, (System.nanoTime() - t0) / 1_000_000);
  }

  /** What the checks found, by kind, over many submissions. */
  private static final class Outcomes {
    private final Map<String, Integer> verdicts = new TreeMap<>();
    private final Map<String, Integer> broken = new TreeMap<>();
    private final List<Long> ends = new ArrayList<>();
    private int checked;

    /** Checks one submission; returns its events, or an empty list when it already broke a promise. */
    List<GradingEvent> check(String id, String token, CompletableFuture<List<GradingEvent>> stream, int minutes)
        throws Exception {
      checked++;
      List<GradingEvent> events;
      try {
        events = stream.get(minutes, TimeUnit.MINUTES);
      } catch (Exception e) {
        broken.merge("no terminal event within " + minutes + " min (" + e.getClass().getSimpleName() + ")", 1, Integer::sum);
        System.err.println("reliability: " + id + " had no terminal event within " + minutes + " min: " + e);
        return List.of();
      }
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).seq() != i + 1) {
          broken.merge("a gap or duplicate in seq", 1, Integer::sum);
          return List.of();
        }
      }
      if (events.stream().filter(GradingEvent::isTerminal).count() != 1) {
        broken.merge("more than one terminal event", 1, Integer::sum);
        return List.of();
      }
      GradingEvent last = events.get(events.size() - 1);
      String status = last.verdict() == null ? "none" : last.verdict().status().name();
      verdicts.merge(status, 1, Integer::sum);
      ends.add(Duration.between(events.get(0).at(), last.at()).toMillis());
      // MongoDB records the verdict the stream delivered, once (the recorder may be a moment
      // behind; after a gateway died, another takes its unacknowledged verdicts over).
      for (int attempt = 0; ; attempt++) {
        JsonNode api = platform.submission(token, id);
        Document doc = Mono.from(stored.find(eq("_id", id)).first()).toFuture().get(30, TimeUnit.SECONDS);
        String recorded = api.path("verdict").path("status").asText("");
        int recordings = doc == null ? 0 : doc.getInteger("recordings", 0);
        if (recorded.equals(status) && recordings == 1) {
          break;
        }
        if (recordings > 1) {
          broken.merge("recorded " + recordings + " times", 1, Integer::sum);
          break;
        }
        if (attempt == 300) {
          broken.merge("MongoDB holds '" + api.path("status").asText() + "', the stream said " + status, 1, Integer::sum);
          break;
        }
        Thread.sleep(200);
      }
      return events;
    }

    /**
     * For a submission whose first attempt was taken over: a later attempt STARTED, and what
     * follows the last STARTED is that attempt alone - each test started and finished in order,
     * then the verdict - with nothing of the stale attempt interleaved.
     */
    void requireTakenOver(List<GradingEvent> events) {
      if (events.isEmpty()) {
        return; // counted already
      }
      List<GradingEvent> starts = events.stream().filter(e -> e.type() == EventType.STARTED).toList();
      if (starts.size() < 2) {
        broken.merge("not taken over (one attempt)", 1, Integer::sum);
        return;
      }
      List<GradingEvent> last = events.subList(events.indexOf(starts.get(starts.size() - 1)) + 1, events.size());
      int test = 0; // the test whose start or end comes next
      boolean open = false; // it has started
      for (GradingEvent e : last) {
        boolean inOrder;
        if (e.type() == EventType.TEST_STARTED) {
          inOrder = !open && Integer.valueOf(test).equals(e.testIndex());
          open = true;
        } else if (e.type() == EventType.TEST_PASSED || e.type() == EventType.TEST_FAILED) {
          inOrder = open && Integer.valueOf(test).equals(e.testIndex());
          open = false;
          test++;
        } else {
          inOrder = e.isTerminal() && !open;
        }
        if (!inOrder) {
          broken.merge("events interleaved after the last attempt started: " + e.type() + " " + e.testIndex(), 1, Integer::sum);
          return;
        }
      }
    }

    void report(String round, long ms) {
      long bad = broken.values().stream().mapToLong(Integer::longValue).sum();
      result(round + "_checked", checked, "submissions checked");
      result(round + "_ok", checked - bad, "ended exactly once, gap-free, and recorded in MongoDB; "
          + bad + " did not" + (broken.isEmpty() ? "" : ": " + broken));
      result(round + "_verdicts", checked - bad, "with verdicts " + verdicts);
      result(round + "_wall", ms, "ms for the whole round");
      if (!ends.isEmpty()) {
        List<Long> sorted = new ArrayList<>(ends);
        sorted.sort(null);
        result(round + "_queued_to_verdict_p50", sorted.get(sorted.size() / 2), "ms (QUEUED to the terminal event, event clocks)");
        result(round + "_queued_to_verdict_max", sorted.get(sorted.size() - 1), "ms");
      }
    }
  }

  /** Samples the resident memory of the platform's processes, by kind, and keeps each kind's peak. */
  private static final class PeakMemory {
    private final Map<String, Long> peaks = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private PeakMemory() {
      sampler = new Thread(() -> {
        while (running) {
          Map<String, Long> now = new TreeMap<>();
          ProcessHandle.allProcesses().forEach(p -> {
            String cmd = PlatformProcesses.commandLine(p.pid());
            String kind = processes.belongs(p.pid(), cmd) ? kindOf(cmd) : null;
            if (kind != null) {
              now.merge(kind, PlatformProcesses.rss(p.pid()), Long::sum);
            }
          });
          now.forEach((k, v) -> peaks.merge(k, v, Math::max));
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "peak-memory");
      sampler.setDaemon(true);
    }

    static PeakMemory start() {
      PeakMemory m = new PeakMemory();
      m.sampler.start();
      return m;
    }

    Map<String, Long> stop() throws InterruptedException {
      running = false;
      sampler.join();
      return new TreeMap<>(peaks);
    }

    private static String kindOf(String cmd) {
      if (cmd.contains("chromium") || cmd.contains("chromedriver")) {
        return "browsers";
      }
      if (PlatformProcesses.isRedis(cmd, System.getenv("KUBEGRADE_REDIS_PORT"))) {
        return "redis-server"; // its title is rewritten, and its environment with it
      }
      if (cmd.contains("kubegrade-gateway")) {
        return "gateway";
      }
      if (cmd.contains("kubegrade-runner")) {
        return "workers";
      }
      for (String kind : List.of("ferretdb", "minio")) {
        if (cmd.contains(kind)) {
          return kind;
        }
      }
      return null;
    }
  }
}
