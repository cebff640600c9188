package io.kubegrade.runner.pool;

import static io.kubegrade.runner.testing.Grading.CLICK_CHALLENGE;
import static io.kubegrade.runner.testing.Grading.catalogueChallenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.GradingRequest;
import io.kubegrade.runner.browser.ProcessReaper;
import io.kubegrade.runner.sink.EventSink;
import io.kubegrade.runner.testing.CollectingSink;
import io.kubegrade.runner.testing.SharedPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Browsers are replaced when they die, recover without restart when a page hangs, and no Chromium
 * or chromedriver process outlives the pool - after exceptions, and after a runner killed with -9.
 */
class BrowserLifecycleIT {
  private static final Challenge CLICK = catalogueChallenge(CLICK_CHALLENGE);
  private static final String CORRECT = io.kubegrade.runner.testing.Grading.CLICK_CORRECT;

  @Test
  void aHungPageIsRecoveredWithoutRestartingTheBrowser() {
    PoolSettings settings = SharedPool.settings(1, "hang");
    try (GradingPool pool = GradingPool.start(settings)) {
      Set<Long> before = browserMainProcesses(settings);

      assertThat(grade(pool, CLICK, "function App() { while (true) {} }").status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
      assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);

      assertThat(before).hasSize(1);
      assertThat(browserMainProcesses(settings)).isEqualTo(before);
    }
  }

  @Test
  void aBrowserThatDiedBetweenSubmissionsIsReplaced() {
    PoolSettings settings = SharedPool.settings(1, "crash-idle");
    try (GradingPool pool = GradingPool.start(settings)) {
      assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
      Set<Long> first = browserMainProcesses(settings);
      kill(first);

      assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(first).hasSize(1);
      assertThat(browserMainProcesses(settings)).hasSize(1).doesNotContainAnyElementsOf(first);
    }
    assertNoBrowserProcesses(settings);
  }

  @Test
  void aBrowserThatDiesMidGradingIsReplacedAndTheSubmissionRetriedOnce() {
    PoolSettings settings = SharedPool.settings(1, "crash-busy");
    try (GradingPool pool = GradingPool.start(settings)) {
      Set<Long> first = browserMainProcesses(settings);
      CollectingSink events = new CollectingSink();
      EventSink killOnFirstTest = onFirstTest(events, () -> kill(first));

      Verdict verdict = grade(pool, CLICK, CORRECT, killOnFirstTest);

      assertThat(verdict.status()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(events.events()).extracting(GradingEvent::type).filteredOn(t -> t == EventType.STARTED).hasSize(2);
      assertThat(events.events()).filteredOn(GradingEvent::isTerminal).hasSize(1);
      assertThat(events.events()).extracting(GradingEvent::seq)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.events().size()).boxed().toList());
      assertThat(browserMainProcesses(settings)).hasSize(1).doesNotContainAnyElementsOf(first);
    }
    assertNoBrowserProcesses(settings);
  }

  @Test
  void aBrowserFrozenMidGradingIsTheGradersFaultAndTheSubmissionIsRetried() throws Exception {
    // A browser that stops answering (SIGSTOP here; swapped out or wedged in real life) looks, from
    // the grader, like a page in an infinite loop - but it is not the submission's doing.
    PoolSettings settings = SharedPool.settings(1, "frozen");
    try (GradingPool pool = GradingPool.start(settings)) {
      Set<Long> first = browserMainProcesses(settings);
      CollectingSink events = new CollectingSink();
      EventSink freezeOnFirstTest = onFirstTest(events, () -> signal("STOP", first));

      Verdict verdict = grade(pool, CLICK, CORRECT, freezeOnFirstTest);

      assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(events.events()).extracting(GradingEvent::message).contains("retrying on a fresh browser");
      assertThat(browserMainProcesses(settings)).hasSize(1).doesNotContainAnyElementsOf(first);
    } finally {
      signal("CONT", browserMainProcesses(settings));
    }
    assertNoBrowserProcesses(settings);
  }

  /** Collects every event into {@code events}, and does {@code fault} as the first test starts. */
  private static EventSink onFirstTest(CollectingSink events, Runnable fault) {
    return event -> {
      events.publish(event);
      if (event.type() == EventType.TEST_STARTED
          && events.events().stream().filter(e -> e.type() == EventType.TEST_STARTED).count() == 1) {
        fault.run();
      }
    };
  }

  private static void signal(String name, Set<Long> pids) {
    for (long pid : pids) {
      try {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGKILLs and waits until the processes are dead; not until reaped (chromedriver reaps lazily). */
  private static void kill(Set<Long> pids) {
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pids.stream().anyMatch(ProcessReaper::isRunning) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  @Test
  void aFailingSinkEndsTheJobWithAVerdictAndLeaksNothing() {
    PoolSettings settings = SharedPool.settings(2, "leak");
    try (GradingPool pool = GradingPool.start(settings)) {
      assertThat(ProcessReaper.tagged(settings.browser().workRoot().toString(), true)).isNotEmpty();
      EventSink exploding = event -> {
        if (event.type() == EventType.TEST_PASSED) {
          throw new IllegalStateException("sink failure");
        }
      };
      Verdict failed = pool.submit(new GradingRequest("leak-1", CLICK, CORRECT, 1), exploding).join();
      assertThat(failed.status()).isEqualTo(VerdictStatus.INTERNAL_ERROR);
      assertThat(failed.message()).contains("sink failure");
      assertThat(grade(pool, CLICK, "function App() { for (;;) {} }").status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
      assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
    }
    assertNoBrowserProcesses(settings);
  }

  @Test
  void closingThePoolCancelsWhatHasNotRun() {
    PoolSettings settings = SharedPool.settings(1, "cancel");
    List<CompletableFuture<Verdict>> queued;
    CollectingSink events = new CollectingSink();
    try (GradingPool pool = GradingPool.start(settings)) {
      queued = List.of(
          pool.submit(new GradingRequest("c-1", CLICK, CORRECT, 1), events),
          pool.submit(new GradingRequest("c-2", CLICK, CORRECT, 1), events),
          pool.submit(new GradingRequest("c-3", CLICK, CORRECT, 1), events));
    }
    List<VerdictStatus> statuses = queued.stream().map(CompletableFuture::join).map(Verdict::status).toList();
    assertThat(statuses).allMatch(s -> s == VerdictStatus.ACCEPTED || s == VerdictStatus.CANCELLED);
    assertThat(statuses).contains(VerdictStatus.CANCELLED);
    assertThat(events.events().stream().filter(GradingEvent::isTerminal).map(GradingEvent::submissionId))
        .containsExactlyInAnyOrder("c-1", "c-2", "c-3");
    assertNoBrowserProcesses(settings);
  }

  @Test
  void browsersOfAKilledRunnerGoWithIt() throws Exception {
    Runner runner = runnerGradingALoop("killed");

    runner.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no finally

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((browserCount(runner.tag()) > 0 || !runner.directories().isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(browserCount(runner.tag())).as("browsers of the killed runner, 10 s after").isZero();
    assertThat(runner.directories()).as("its browsers' directories, 10 s after").isEmpty();
    assertNoBrowserProcesses(runner.settings());
  }

  @Test
  void browsersOfAKilledRunnerAreReapedByTheNextOne() throws Exception {
    Runner started = runnerGradingALoop("orphans");
    PoolSettings settings = started.settings();
    Process runner = started.process();
    String childTag = started.tag();

    // As when a whole process group is killed at once: the runner's watcher goes with it.
    List<ProcessHandle> watchers = runner.descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("kubegrade-browser-watcher")).toList();
    assertThat(watchers).as("the runner's browser watcher").hasSize(1);
    watchers.forEach(ProcessHandle::destroyForcibly);
    runner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(500);
    assertThat(browserCount(childTag)).as("browsers orphaned by the killed runner").isPositive();

    try (GradingPool pool = GradingPool.start(settings)) {
      assertThat(browserCount(childTag)).as("orphans after the next runner started").isZero();
      assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
    }
    assertNoBrowserProcesses(settings);
  }

  /** A runner process of its own, under the work root of pool settings {@code name}, and its browsers' tag. */
  private record Runner(PoolSettings settings, String root, Process process, String tag) {
    /** Its browsers' directories still under the work root. */
    List<String> directories() throws IOException {
      try (var dirs = Files.list(Path.of(root))) {
        return dirs.map(Path::toString).filter(d -> d.startsWith(tag)).toList();
      }
    }
  }

  /** Starts a runner (the CLI) grading a submission that never finishes; returns once its browser runs. */
  private static Runner runnerGradingALoop(String name) throws IOException, InterruptedException {
    PoolSettings settings = SharedPool.settings(1, name);
    String root = settings.browser().workRoot().toString();
    Process process = startRunner(root);
    String tag = root + "/b-" + process.pid() + "-";
    awaitBrowsers(tag);
    return new Runner(settings, root, process, tag);
  }

  private static Process startRunner(String workRoot) throws IOException {
    Path jar = Path.of(System.getProperty("kubegrade.runnerJar", "target/kubegrade-runner-all.jar"));
    Path loop = Files.writeString(Files.createTempFile("loop", ".jsx"), "function App() { while (true) {} }");
    Path challenge = Path.of(System.getProperty("kubegrade.challenges", "../challenges")).resolve(CLICK_CHALLENGE);
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString(), "grade", "--challenge", challenge.toString(), loop.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("KUBEGRADE_WORK_DIR", workRoot);
    return builder.start();
  }

  private static void awaitBrowsers(String tagPrefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (browserCount(tagPrefix) < 3 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(browserCount(tagPrefix)).as("processes of the runner's browser").isGreaterThanOrEqualTo(3);
  }

  private static long browserCount(String tagPrefix) {
    return ProcessReaper.tagged(tagPrefix, true).size();
  }

  static Set<Long> browserMainProcesses(PoolSettings settings) {
    return ProcessReaper.tagged(settings.browser().workRoot().toString(), true).stream()
        .filter(p -> {
          String command = p.info().command().orElse("");
          return (command.endsWith("/chromium") || command.endsWith("/chrome"))
              && !p.info().commandLine().orElse("").contains("--type=");
        })
        .map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  static void assertNoBrowserProcesses(PoolSettings settings) {
    assertThat(ProcessReaper.tagged(settings.browser().workRoot().toString(), true))
        .as("processes left under " + settings.browser().workRoot()).isEmpty();
    assertThat(ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").matches(".*/(chromium|chrome|chromedriver|chrome_crashpad_handler)$"))
        .filter(p -> p.info().commandLine().orElse("").contains(settings.browser().workRoot().toString()))
        .filter(p -> ProcessReaper.isRunning(p.pid())))
        .as("running browser processes naming " + settings.browser().workRoot()).isEmpty();
  }
}
