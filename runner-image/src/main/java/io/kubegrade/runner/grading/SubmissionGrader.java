package io.kubegrade.runner.grading;

import io.kubegrade.api.challenge.Action;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.Expectation;
import io.kubegrade.api.challenge.ExpectationType;
import io.kubegrade.api.challenge.Step;
import io.kubegrade.api.challenge.Target;
import io.kubegrade.api.challenge.TestCase;
import io.kubegrade.api.event.CompileError;
import io.kubegrade.api.event.ConsoleEntry;
import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.RuntimeFailure;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.harness.HarnessServer;
import io.kubegrade.runner.sink.EventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Grades one submission on one prepared {@link HarnessPage}: compile (in the browser's
 * {@link HomeTab}, where no submitted code runs), mount, every test on a fresh mount, the verdict. Publishes TEST_STARTED / TEST_PASSED / TEST_FAILED as it goes; the caller publishes
 * STARTED and VERDICT.
 */
public final class SubmissionGrader {
  /** How V8 refuses WebAssembly memory past the cap: allocating, instantiating, growing. */
  private static final Pattern WASM_OUT_OF_MEMORY = Pattern.compile("WebAssembly\\.[A-Za-z.]+\\(\\): "
      + "(could not allocate memory|Out of memory|Maximum memory size exceeded)|Cannot allocate Wasm memory");
  static final int CONSOLE_LINES = 50;
  static final int CONSOLE_LINE_CHARS = 500;
  private static final Duration SHORT = Duration.ofSeconds(5);

  private final HarnessPage page;
  private final HomeTab compiler;
  private final Challenge challenge;
  private final EventSequence events;
  private final EventSink sink;

  private final List<TestResult> results = new ArrayList<>();
  private RuntimeFailure runtimeError;
  private String screenshot;
  private Runnable onFirstHold;

  /**
   * {@code onFirstHold} runs once, when the grading first only watches the page (its first hold,
   * after the compile, the mount and the first expectations, which are what costs CPU): a time to
   * do other work in the browser without slowing this submission.
   */
  public SubmissionGrader(HarnessPage page, HomeTab compiler, Challenge challenge,
      EventSequence events, EventSink sink, Runnable onFirstHold) {
    this.page = page;
    this.compiler = compiler;
    this.challenge = challenge;
    this.events = events;
    this.sink = sink;
    this.onFirstHold = onFirstHold;
  }

  public Verdict grade(String source) {
    long start = System.nanoTime();
    long deadline = start + challenge.limits().timeLimit().toNanos();
    Duration stepTimeout = challenge.limits().stepTimeout();
    StepRunner steps = new StepRunner(page, challenge.limits().memoryMb());
    List<TestCase> tests = challenge.tests();
    VerdictStatus ended = null;
    String endMessage = null;
    try {
      Map<String, Object> compiled = compiler.compile(source);
      if ("compile".equals(compiled.get("status"))) {
        CompileError error = new CompileError(String.valueOf(compiled.get("message")),
            intOrNull(compiled.get("line")), intOrNull(compiled.get("column")));
        skipFrom(0, "not run: the submission does not compile");
        return finish(VerdictStatus.COMPILE_ERROR, "compile error"
            + (error.line() != null ? " at line " + error.line() + ", column " + error.column() : "")
            + ": " + error.message(), start, error);
      }
      Map<String, Object> mounted = mount(stepTimeout, "window.__kubegrade.run(" + jsString(String.valueOf(compiled.get("code"))) + ")");
      if ("no-component".equals(mounted.get("status"))) {
        skipFrom(0, "not run: no component to render");
        runtimeError = new RuntimeFailure(String.valueOf(mounted.get("message")), null);
        return finish(VerdictStatus.RUNTIME_ERROR, String.valueOf(mounted.get("message")), start, null);
      }
      for (int i = 0; i < tests.size(); i++) {
        if (System.nanoTime() >= deadline) {
          throw new PageFailure(VerdictStatus.TIME_LIMIT_EXCEEDED, "the run exceeded its time limit of "
              + challenge.limits().timeLimit().toMillis() + " ms");
        }
        if (i > 0) {
          mounted = mount(stepTimeout, "window.__kubegrade.remount()");
        }
        runTest(i, tests.get(i), mounted, steps, stepTimeout, deadline);
      }
    } catch (PageFailure hung) {
      PageFailure failure = overMemory(hung, challenge.limits().memoryMb());
      ended = failure.status();
      endMessage = failure.getMessage();
      int next = results.size();
      if (next < tests.size()) {
        TestResult failed = new TestResult(tests.get(next).name(), TestOutcome.FAILED, 0, failure.getMessage());
        results.add(failed);
        sink.publish(events.testFinished(next, failed));
        skipFrom(next + 1, "not run: " + failure.getMessage());
      }
    }
    return conclude(ended, endMessage, start);
  }

  /**
   * A page that stopped responding while its heap was over the memory limit was allocating, not
   * looping: MEMORY_LIMIT_EXCEEDED, whichever came first, the deadline or V8 giving up.
   */
  static PageFailure overMemory(PageFailure failure, int memoryMb) {
    long limit = memoryMb * 1024L * 1024L;
    if (failure.status() != VerdictStatus.TIME_LIMIT_EXCEEDED || failure.heapBytes() <= limit) {
      return failure;
    }
    return new PageFailure(VerdictStatus.MEMORY_LIMIT_EXCEEDED, "the page used " + (failure.heapBytes() >> 20)
        + " MiB of JavaScript heap when it stopped responding; the limit is " + memoryMb + " MiB", failure.heapBytes());
  }

  /** Mounts; a dialog that slipped past the harness can swallow the answer, so ask again once. */
  private Map<String, Object> mount(Duration stepTimeout, String expression) {
    Object answer = page.main(stepTimeout.plus(StepRunner.GRACE), expression);
    if (!(answer instanceof Map)) {
      answer = page.main(stepTimeout.plus(StepRunner.GRACE), "window.__kubegrade.last()");
    }
    return asMap(answer);
  }

  static String jsString(String s) {
    try {
      return io.kubegrade.api.Json.mapper().writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void runTest(int index, TestCase test, Map<String, Object> mounted, StepRunner steps,
      Duration stepTimeout, long deadline) {
    sink.publish(events.testStarted(index, test.name()));
    long t0 = System.nanoTime();
    String failure = null;
    if (!"ok".equals(mounted.get("status"))) {
      failure = "the component could not be rendered: " + describeMountFailure(mounted);
    } else {
      Map<Target, Double> baselines = Map.of();
      List<Target> counted = test.steps().stream()
          .filter(s -> s instanceof Expectation e && e.type() == ExpectationType.NUMBER_CHANGE)
          .map(s -> ((Expectation) s).target() == null ? StepRunner.NO_TARGET : ((Expectation) s).target())
          .distinct().toList();
      if (!counted.isEmpty()) {
        baselines = steps.numbers(counted, stepTimeout);
      }
      List<Step> list = test.steps();
      // Expectations met since the last action (by step index): each must still hold before the
      // next action and at the end of the test (Limits.hold).
      List<Integer> met = new ArrayList<>();
      for (int s = 0; s < list.size() && failure == null; s++) {
        Step step = list.get(s);
        if (step instanceof Action && (failure = broken(steps, list, met, baselines)) != null) {
          break;
        }
        Duration wait = step instanceof Expectation e && e.timeout() != null ? e.timeout() : stepTimeout;
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.isNegative() || left.isZero()) {
          throw new PageFailure(VerdictStatus.TIME_LIMIT_EXCEEDED, "the run exceeded its time limit of "
              + challenge.limits().timeLimit().toMillis() + " ms");
        }
        failure = atStep(s, list.size(), steps.run(step, wait.compareTo(left) < 0 ? wait : left, baselines));
        if (failure == null && step instanceof Expectation) {
          met.add(s);
        }
      }
      if (failure == null) {
        failure = broken(steps, list, met, baselines);
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    TestResult result = new TestResult(test.name(), failure == null ? TestOutcome.PASSED : TestOutcome.FAILED, ms, failure);
    if (failure != null && screenshot == null) {
      screenshot = page.screenshotBase64(SHORT);
    }
    results.add(result);
    sink.publish(events.testFinished(index, result));
  }

  /** Why an expectation in {@code met} stopped holding (then {@code met} is spent), or null. */
  private String broken(StepRunner steps, List<Step> list, List<Integer> met, Map<Target, Double> baselines) {
    if (onFirstHold != null && !met.isEmpty()) {
      // not before an action with nothing yet met: the submission's own code may be about to run
      Runnable run = onFirstHold;
      onFirstHold = null;
      run.run();
    }
    StepRunner.Broken broken = steps.holds(met.stream().map(i -> (Expectation) list.get(i)).toList(),
        baselines, challenge.limits().hold());
    String failure = broken == null ? null : atStep(met.get(broken.index()), list.size(), broken.message());
    met.clear();
    return failure;
  }

  /** A step's failure, saying which step when the test has several. */
  private static String atStep(int step, int steps, String failure) {
    return failure == null || steps == 1 ? failure : "step " + (step + 1) + " of " + steps + ": " + failure;
  }

  private String describeMountFailure(Map<String, Object> mounted) {
    if (mounted.get("error") instanceof Map<?, ?> error) {
      if (runtimeError == null) {
        runtimeError = new RuntimeFailure(String.valueOf(error.get("message")), String.valueOf(error.get("stack")));
      }
      return String.valueOf(error.get("message"));
    }
    return String.valueOf(mounted.getOrDefault("message", mounted.get("status")));
  }

  private void skipFrom(int from, String why) {
    List<TestCase> tests = challenge.tests();
    for (int i = from; i < tests.size(); i++) {
      results.add(new TestResult(tests.get(i).name(), TestOutcome.SKIPPED, 0, why));
    }
  }

  private Verdict conclude(VerdictStatus ended, String endMessage, long start) {
    long passed = results.stream().filter(r -> r.outcome() == TestOutcome.PASSED).count();
    if (ended != null) {
      return finish(ended, endMessage, start, null);
    }
    if (passed == results.size()) {
      return finish(VerdictStatus.ACCEPTED, "all " + passed + " tests passed", start, null);
    }
    if (runtimeError == null) {
      runtimeError = uncaughtError();
    }
    TestResult first = results.stream().filter(r -> r.outcome() == TestOutcome.FAILED).findFirst().orElseThrow();
    String summary = passed + " of " + results.size() + " tests passed; '" + first.name() + "' failed: " + first.message();
    if (runtimeError != null && WASM_OUT_OF_MEMORY.matcher(runtimeError.message()).find()) {
      // The browser refuses WebAssembly memory past its cap (ChromeBrowser: --wasm-max-mem-pages).
      return finish(VerdictStatus.MEMORY_LIMIT_EXCEEDED, "the page asked for more WebAssembly memory than allowed ("
          + runtimeError.message() + "); " + summary, start, null);
    }
    if (runtimeError != null) {
      return finish(VerdictStatus.RUNTIME_ERROR, "the submission threw " + runtimeError.message() + "; " + summary, start, null);
    }
    return finish(VerdictStatus.WRONG_ANSWER, summary, start, null);
  }

  /** Errors the page reported about itself: used only to tell RUNTIME_ERROR from WRONG_ANSWER. */
  private RuntimeFailure uncaughtError() {
    try {
      Object errors = page.main(SHORT, "window.__kubegrade.errors()");
      if (errors instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> e) {
        return new RuntimeFailure(String.valueOf(e.get("message")), String.valueOf(e.get("stack")));
      }
    } catch (PageFailure e) {
      // the page is gone; the tests already say what happened
    }
    return null;
  }

  private Verdict finish(VerdictStatus status, String message, long start, CompileError compileError) {
    List<ConsoleEntry> console = new ArrayList<>();
    PageConsole.Lines lines = page.console(SHORT);
    boolean truncated = lines.dropped();
    for (ConsoleEntry entry : lines.entries()) {
      if (isHarnessNoise(entry.text())) {
        continue;
      }
      if (console.size() == CONSOLE_LINES) {
        truncated = true;
        break;
      }
      String text = entry.text();
      if (text.length() > CONSOLE_LINE_CHARS) {
        text = text.substring(0, CONSOLE_LINE_CHARS - 1) + "…";
        truncated = true;
      }
      console.add(new ConsoleEntry(entry.level(), text));
    }
    long passed = results.stream().filter(r -> r.outcome() == TestOutcome.PASSED).count();
    long ms = (System.nanoTime() - start) / 1_000_000;
    return new Verdict(status, message, (int) passed, challenge.tests().size(), ms, results, compileError,
        status == VerdictStatus.RUNTIME_ERROR ? runtimeError : null, console, truncated ? Boolean.TRUE : null,
        status == VerdictStatus.ACCEPTED ? null : screenshot);
  }

  /**
   * Lines about the grader, not the submission: the compiler tab's own, and Chromium's note that
   * a sandbox with scripts and same-origin could be escaped by a parent frame (the harness page is
   * a top-level document with no parent; see HarnessServer.CSP).
   */
  static boolean isHarnessNoise(String line) {
    return line.startsWith(HarnessServer.COMPILER_URL) || line.endsWith("can escape its sandboxing.");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    return Map.of("status", "broken", "message", "the page's harness answered " + o
        + " (did the submission overwrite it?)");
  }

  private static Integer intOrNull(Object o) {
    return o instanceof Number n ? n.intValue() : null;
  }
}
