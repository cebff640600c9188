package io.kubegrade.api.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kubegrade.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The outcome of grading one submission. {@code console} is bounded and {@code consoleTruncated}
 * says when lines were dropped. The page at the first failing test travels from the runner as
 * {@code screenshotPng} (base64) only as far as the gateway that relays the verdict into the
 * submission's log: it stores the image and the verdict every client sees - live, replayed, or
 * from the API - says {@code screenshot}, the API path it is served at, instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verdict(
    VerdictStatus status,
    String message,
    int passed,
    int total,
    long durationMs,
    List<TestResult> tests,
    CompileError compileError,
    RuntimeFailure runtimeError,
    List<ConsoleEntry> console,
    Boolean consoleTruncated,
    String screenshotPng,
    String screenshot) {

  public Verdict {
    tests = tests == null ? List.of() : List.copyOf(tests);
    console = console == null ? List.of() : List.copyOf(console);
  }

  /** As a runner reports it: the screenshot, if any, inline. */
  public Verdict(VerdictStatus status, String message, int passed, int total, long durationMs, List<TestResult> tests,
      CompileError compileError, RuntimeFailure runtimeError, List<ConsoleEntry> console, Boolean consoleTruncated,
      String screenshotPng) {
    this(status, message, passed, total, durationMs, tests, compileError, runtimeError, console, consoleTruncated,
        screenshotPng, null);
  }

  /** A verdict with no test results, for outcomes decided before or outside the tests. */
  public static Verdict of(VerdictStatus status, String message, int total, long durationMs) {
    return new Verdict(status, message, 0, total, durationMs, List.of(), null, null, List.of(), null, null);
  }

  /** Without the inline image (where it is stored, if it is, stays). */
  public Verdict withoutScreenshot() {
    return new Verdict(status, message, passed, total, durationMs, tests, compileError, runtimeError,
        console, consoleTruncated, null, screenshot);
  }

  /** The image stored and served at {@code path}: the document refers to it instead of carrying it. */
  public Verdict withScreenshotAt(String path) {
    return new Verdict(status, message, passed, total, durationMs, tests, compileError, runtimeError,
        console, consoleTruncated, null, path);
  }

  /**
   * This verdict as JSON of at most {@code maxBytes} UTF-8 bytes (a pod's termination message is
   * limited to 4 KiB): it drops the screenshot, then console, then shortens messages and stacks,
   * then drops per-test detail, keeping status, counts and the headline message to the end.
   */
  public String toBoundedJson(int maxBytes) {
    Verdict v = withoutScreenshot();
    String json = toJson(v);
    if (fits(json, maxBytes)) {
      return json;
    }
    v = new Verdict(status, message, passed, total, durationMs, tests, compileError, runtimeError,
        List.of(), console.isEmpty() ? consoleTruncated : Boolean.TRUE, null);
    json = toJson(v);
    for (int limit = 400; !fits(json, maxBytes) && limit >= 25; limit /= 2) {
      final int l = limit;
      v = new Verdict(status, cut(message, l * 2), passed, total, durationMs,
          tests.stream().map(t -> new TestResult(cut(t.name(), l), t.outcome(), t.durationMs(), cut(t.message(), l))).toList(),
          compileError == null ? null : new CompileError(cut(compileError.message(), l), compileError.line(), compileError.column()),
          runtimeError == null ? null : new RuntimeFailure(cut(runtimeError.message(), l), cut(runtimeError.stack(), l)),
          List.of(), v.consoleTruncated(), null);
      json = toJson(v);
    }
    if (!fits(json, maxBytes)) {
      v = new Verdict(status, cut(message, 200), passed, total, durationMs, List.of(), null, null,
          List.of(), v.consoleTruncated(), null);
      json = toJson(v);
    }
    return json;
  }

  private static boolean fits(String json, int maxBytes) {
    return json.getBytes(StandardCharsets.UTF_8).length <= maxBytes;
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String toJson(Verdict v) {
    try {
      return Json.mapper().writeValueAsString(v);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a verdict always serialises", e);
    }
  }
}
