package io.kubegrade.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Faults and load against a running local platform, from the outside, each checked for what the
 * platform promises (docs/reliability.md): every submission ends with exactly one terminal event,
 * its stream gap-free and duplicate-free from seq 1, and MongoDB records that same verdict. Run
 * by scripts/reliability.sh; prints RESULT lines.
 * usage: ReliabilityRounds <base-url> <data-dir> <solution.jsx> <burst N> <rounds of each fault>
 */
public final class ReliabilityRounds {
  private static PlatformClient platform;
  private static Path data;

  private ReliabilityRounds() {}

  public static void main(String[] args) throws Exception {
    platform = new PlatformClient(args[0]);
    data = Path.of(args[1]);
    String source = Files.readString(Path.of(args[2]));
    int burst = Integer.parseInt(args[3]);
    int kills = Integer.parseInt(args[4]);

    String warm = platform.token("warmup");
    platform.verdict(warm, platform.submit(warm, source), 1).get(60, TimeUnit.SECONDS);

    burst(source, burst);
    browsersFailWhileGrading(source, kills, "browser_kill", "SIGKILLed", pids -> signal("KILL", pids));
    browsersFailWhileGrading(source, kills, "browser_freeze", "frozen (SIGSTOP) for 10 s", pids -> {
      signal("STOP", pids);
      Thread.sleep(10_000);
      signal("CONT", pids);
    });
  }

  private interface Fault {
    void apply(List<Long> pids) throws Exception;
  }

  private static void signal(String name, List<Long> pids) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", "-" + name));
    pids.forEach(p -> command.add(Long.toString(p)));
    new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
  }

  /** N submissions at once, one stream each; peak memory of every process while they are graded. */
  private static void burst(String source, int n) throws Exception {
    PeakMemory memory = PeakMemory.start();
    long t0 = System.nanoTime();
    Map<String, String> tokens = new LinkedHashMap<>();
    Map<String, CompletableFuture<List<GradingEvent>>> streams = new LinkedHashMap<>();
    int refused = 0;
    for (int i = 0; i < n; i++) {
      String token = platform.token("burst-" + i);
      try {
        String id = platform.submit(token, source);
        tokens.put(id, token);
        streams.put(id, platform.stream(token, id, e -> {}));
      } catch (IllegalStateException e) {
        refused++;
        System.err.println("reliability: " + e.getMessage());
      }
    }
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
   * Applies a fault to every browser of the embedded pool (Chromium's main processes and their
   * chromedriver) once the submission has STARTED, then checks it still ends once: retried on a
   * fresh browser, or INTERNAL_ERROR - never stuck, never twice.
   */
  private static void browsersFailWhileGrading(String source, int rounds, String round, String what, Fault fault)
      throws Exception {
    Outcomes outcomes = new Outcomes();
    int hit = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      String token = platform.token(round + "-" + i);
      String id = platform.submit(token, source);
      CompletableFuture<Void> started = new CompletableFuture<>();
      CompletableFuture<List<GradingEvent>> stream = platform.stream(token, id, e -> {
        if (e.type() == EventType.STARTED) {
          started.complete(null);
        }
      });
      started.get(60, TimeUnit.SECONDS);
      List<Long> pids = browsers();
      hit += pids.size();
      fault.apply(pids);
      outcomes.check(id, token, stream, 3);
    }
    result(round + "_rounds", rounds, "rounds, " + hit + " Chromium and chromedriver processes " + what + " after STARTED");
    outcomes.report(round, (System.nanoTime() - t0) / 1_000_000);
  }

  /** The pool's Chromium main processes and chromedriver (their renderers die with them). */
  private static List<Long> browsers() {
    return ProcessHandle.allProcesses().filter(p -> {
      String cmd = commandLine(p.pid());
      return (cmd.contains("chromium") || cmd.contains("chromedriver")) && !cmd.contains("--type=") && belongs(p.pid(), cmd);
    }).map(ProcessHandle::pid).toList();
  }

  /** What the checks found, by kind, over many submissions. */
  private static final class Outcomes {
    private final Map<String, Integer> verdicts = new TreeMap<>();
    private final Map<String, Integer> broken = new TreeMap<>();
    private final List<Long> ends = new ArrayList<>();
    private int checked;

    void check(String id, String token, CompletableFuture<List<GradingEvent>> stream, int minutes) throws Exception {
      checked++;
      List<GradingEvent> events;
      try {
        events = stream.get(minutes, TimeUnit.MINUTES);
      } catch (Exception e) {
        broken.merge("no terminal event within " + minutes + " min (" + e.getClass().getSimpleName() + ")", 1, Integer::sum);
        return;
      }
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).seq() != i + 1) {
          broken.merge("a gap or duplicate in seq", 1, Integer::sum);
          return;
        }
      }
      if (events.stream().filter(GradingEvent::isTerminal).count() != 1) {
        broken.merge("more than one terminal event", 1, Integer::sum);
        return;
      }
      GradingEvent last = events.get(events.size() - 1);
      String status = last.verdict() == null ? "none" : last.verdict().status().name();
      verdicts.merge(status, 1, Integer::sum);
      ends.add(Duration.between(events.get(0).at(), last.at()).toMillis());
      // MongoDB records the verdict the stream delivered (the recorder may be a moment behind).
      for (int attempt = 0; ; attempt++) {
        JsonNode stored = platform.submission(token, id);
        String recorded = stored.path("verdict").path("status").asText("");
        if (recorded.equals(status)) {
          break;
        }
        if (attempt == 50) {
          broken.merge("MongoDB holds '" + stored.path("status").asText() + "', the stream said " + status, 1, Integer::sum);
          break;
        }
        Thread.sleep(200);
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
            String cmd = commandLine(p.pid());
            String kind = belongs(p.pid(), cmd) ? kindOf(cmd) : null;
            if (kind != null) {
              now.merge(kind, rss(p.pid()), Long::sum);
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
      if (cmd.startsWith("redis-server") && cmd.contains(":" + System.getenv("KUBEGRADE_REDIS_PORT"))) {
        return "redis-server"; // its title is rewritten, and its environment with it
      }
      if (cmd.contains("kubegrade-gateway")) {
        return "gateway";
      }
      for (String kind : List.of("ferretdb", "minio")) {
        if (cmd.contains(kind)) {
          return kind;
        }
      }
      return null;
    }
  }

  /**
   * A process of the platform under test: scripts/reliability.sh starts it with KUBEGRADE_DATA
   * set, and every process inherits that (Redis rewrites its command line; a renderer's names no
   * profile).
   */
  private static boolean belongs(long pid, String commandLine) {
    return read(pid, "environ").contains("KUBEGRADE_DATA=" + data + " ")
        || commandLine.matches("redis-server 127\\.0\\.0\\.1:" + System.getenv("KUBEGRADE_REDIS_PORT") + "(\\s.*)?");
  }

  private static String commandLine(long pid) {
    return read(pid, "cmdline");
  }

  private static String read(long pid, String file) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/" + file)), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone meanwhile
    }
    return 0;
  }

  private static void result(String name, long value, String rest) {
    System.out.println("RESULT " + name + " " + value + " " + rest);
  }
}
