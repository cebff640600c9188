package io.kubegrade.runner.grading;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Action;
import io.kubegrade.api.challenge.ActionType;
import io.kubegrade.api.challenge.Expectation;
import io.kubegrade.api.challenge.Step;
import io.kubegrade.api.challenge.Target;
import io.kubegrade.api.event.VerdictStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes steps on a {@link HarnessPage}: actions as trusted browser input ({@link PageInput}) at
 * coordinates the inspector found, expectations as one awaited call into the isolated world that polls in-page
 * (no WebDriver round trip per poll).
 */
final class StepRunner {
  /** Extra time a page call gets beyond its own wait before the page counts as hung. */
  static final Duration GRACE = Duration.ofMillis(1500);

  private final HarnessPage page;
  private final long heapLimitBytes;
  private final String heapLimitText;

  StepRunner(HarnessPage page, int memoryMb) {
    this.page = page;
    this.heapLimitBytes = memoryMb * 1024L * 1024L;
    this.heapLimitText = memoryMb + " MiB";
  }

  /** Runs one step; returns null when it succeeded, otherwise what went wrong. */
  String run(Step step, Duration wait, Map<Target, Double> baselines) {
    return step instanceof Action action ? act(action, wait) : expect((Expectation) step, wait, baselines);
  }

  /** The first number in each target's text (the page's when null), recorded as a test starts. */
  Map<Target, Double> numbers(List<Target> targets, Duration wait) {
    Map<String, Object> r = inspect(wait, "kubegradeInspector.numbers(" + json(targets) + ")");
    @SuppressWarnings("unchecked")
    List<Object> values = (List<Object>) r.get("values");
    Map<Target, Double> baselines = new LinkedHashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      Object v = values == null ? null : values.get(i);
      baselines.put(targets.get(i), v instanceof Number n ? n.doubleValue() : null);
    }
    return baselines;
  }

  /** Why an expectation that was met stopped holding: its index among those asked about, and what. */
  record Broken(int index, String message) {}

  /**
   * Null when every expectation in {@code met} (each met since the last action) stays met for
   * {@code hold} without a break; otherwise the first that did not.
   */
  Broken holds(List<Expectation> met, Map<Target, Double> baselines, Duration hold) {
    if (met.isEmpty() || hold.isZero()) {
      return null;
    }
    List<Map<String, Object>> specs = met.stream().map(StepRunner::specOf).toList();
    List<Double> numbers = met.stream().map(e -> baselines.get(e.target() == null ? NO_TARGET : e.target())).toList();
    Map<String, Object> r = inspect(hold, "kubegradeInspector.holds(" + json(specs) + "," + json(numbers) + ","
        + hold.toMillis() + ")");
    if (Boolean.TRUE.equals(r.get("ok"))) {
      return null;
    }
    int index = intOf(r.get("index"));
    Expectation e = met.get(Math.min(index, met.size() - 1));
    if (r.get("error") != null) {
      return new Broken(index, "could not check " + e.describe() + ": " + r.get("error"));
    }
    return new Broken(index, "expected " + e.describe() + " to hold, but " + intOf(r.get("heldMs"))
        + " ms after it was met found " + r.get("found") + " (a state must stay, not pass by)");
  }

  private String expect(Expectation e, Duration wait, Map<Target, Double> baselines) {
    Map<String, Object> spec = specOf(e);
    Double baseline = baselines.get(e.target() == null ? NO_TARGET : e.target());
    Map<String, Object> r = inspect(wait, "kubegradeInspector.expect(" + json(spec) + "," + wait.toMillis()
        + "," + (baseline == null ? "null" : baseline) + ")");
    if (Boolean.TRUE.equals(r.get("ok"))) {
      return null;
    }
    if (r.get("error") != null) {
      return "could not check " + e.describe() + ": " + r.get("error");
    }
    return "expected " + e.describe() + ", found " + r.get("found");
  }

  private static Map<String, Object> specOf(Expectation e) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("type", e.type().token());
    spec.put("target", e.target());
    spec.put("name", e.name());
    spec.put("equalTo", e.equalTo());
    spec.put("contains", e.contains());
    spec.put("matches", e.matches());
    spec.put("count", e.count());
    spec.put("by", e.by());
    spec.put("script", e.script());
    return spec;
  }

  private String act(Action a, Duration wait) {
    Target t = a.target();
    PageInput input = new PageInput();
    switch (a.type()) {
      case CLICK, DOUBLE_CLICK, CHECK, UNCHECK, TYPE, CLEAR -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.locate(" + json(t) + "," + wait.toMillis() + ",true)");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        if ((a.type() == ActionType.CHECK && Boolean.TRUE.equals(at.get("checked")))
            || (a.type() == ActionType.UNCHECK && Boolean.FALSE.equals(at.get("checked")))) {
          return null;
        }
        input.moveTo(intOf(at.get("x")), intOf(at.get("y")));
        switch (a.type()) {
          case DOUBLE_CLICK -> input.click(1).click(2);
          case TYPE -> input.click(1).withControl("End").type(a.text());
          case CLEAR -> input.click(1).withControl("a").press("Backspace");
          default -> input.click(1);
        }
      }
      case HOVER -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.locate(" + json(t) + "," + wait.toMillis() + ",false)");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        input.moveTo(intOf(at.get("x")), intOf(at.get("y")));
      }
      case UNHOVER -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.awayFrom(" + json(t) + ")");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        input.moveTo(intOf(at.get("x")), intOf(at.get("y")));
      }
      case PRESS -> {
        if (t != null) {
          Map<String, Object> at = inspect(wait, "kubegradeInspector.focus(" + json(t) + "," + wait.toMillis() + ")");
          if (!Boolean.TRUE.equals(at.get("ok"))) {
            return cannot(a, at);
          }
        }
        input.press(a.key());
      }
      case SELECT -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.selectKeys(" + json(t) + "," + json(a.option())
            + "," + wait.toMillis() + ")");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        int presses = intOf(at.get("presses"));
        if (presses == 0) {
          return null;
        }
        input.repeat(Boolean.TRUE.equals(at.get("down")) ? "ArrowDown" : "ArrowUp", presses);
      }
    }
    page.perform(wait.plus(GRACE), input);
    return null;
  }

  private static String cannot(Action a, Map<String, Object> r) {
    Object why = r.get("error") != null ? r.get("error") : r.get("found");
    return "could not " + a.describe() + ": found " + why;
  }

  private Map<String, Object> inspect(Duration wait, String expression) {
    Map<String, Object> r = page.inspect(wait.plus(GRACE), expression);
    if (r.get("heap") instanceof Number heap && heap.longValue() > heapLimitBytes) {
      throw new PageFailure(VerdictStatus.MEMORY_LIMIT_EXCEEDED, "the page used "
          + (heap.longValue() / (1024 * 1024)) + " MiB of JavaScript heap; the limit is " + heapLimitText);
    }
    return r;
  }

  static final Target NO_TARGET = new Target(null, null, null, null, null, null);

  private static int intOf(Object o) {
    return o instanceof Number n ? (int) Math.round(n.doubleValue()) : 0;
  }

  private static String json(Object o) {
    try {
      return Json.mapper().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
