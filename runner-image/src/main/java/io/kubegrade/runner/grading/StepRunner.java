package io.kubegrade.runner.grading;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Action;
import io.kubegrade.api.challenge.Expectation;
import io.kubegrade.api.challenge.Keys;
import io.kubegrade.api.challenge.Step;
import io.kubegrade.api.challenge.Target;
import io.kubegrade.api.event.VerdictStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;

/**
 * Executes steps on a {@link HarnessPage}: actions as real WebDriver input at coordinates the
 * inspector found, expectations as one awaited call into the isolated world that polls in-page
 * (no WebDriver round trip per poll).
 */
final class StepRunner {
  /** Extra time a page call gets beyond its own wait before the page counts as hung. */
  static final Duration GRACE = Duration.ofMillis(1500);

  private final HarnessPage page;
  private final WebDriver driver;
  private final long heapLimitBytes;
  private final String heapLimitText;

  StepRunner(HarnessPage page, WebDriver driver, int memoryMb) {
    this.page = page;
    this.driver = driver;
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

  private String expect(Expectation e, Duration wait, Map<Target, Double> baselines) {
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

  private String act(Action a, Duration wait) {
    Target t = a.target();
    Actions input = new Actions(driver);
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "default mouse");
    switch (a.type()) {
      case CLICK, DOUBLE_CLICK, CHECK, UNCHECK, TYPE, CLEAR -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.locate(" + json(t) + "," + wait.toMillis() + ",true)");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        if ((a.type() == io.kubegrade.api.challenge.ActionType.CHECK && Boolean.TRUE.equals(at.get("checked")))
            || (a.type() == io.kubegrade.api.challenge.ActionType.UNCHECK && Boolean.FALSE.equals(at.get("checked")))) {
          return null;
        }
        input.tick(mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.viewport(), intOf(at.get("x")), intOf(at.get("y"))));
        switch (a.type()) {
          case DOUBLE_CLICK -> click(click(input, mouse), mouse);
          case TYPE -> click(input, mouse)
              .keyDown(org.openqa.selenium.Keys.CONTROL).sendKeys(org.openqa.selenium.Keys.END)
              .keyUp(org.openqa.selenium.Keys.CONTROL).sendKeys(a.text());
          case CLEAR -> click(input, mouse)
              .keyDown(org.openqa.selenium.Keys.CONTROL).sendKeys("a").keyUp(org.openqa.selenium.Keys.CONTROL)
              .sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
          default -> click(input, mouse);
        }
      }
      case HOVER -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.locate(" + json(t) + "," + wait.toMillis() + ",false)");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        input.tick(mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.viewport(), intOf(at.get("x")), intOf(at.get("y"))));
      }
      case UNHOVER -> {
        Map<String, Object> at = inspect(wait, "kubegradeInspector.awayFrom(" + json(t) + ")");
        if (!Boolean.TRUE.equals(at.get("ok"))) {
          return cannot(a, at);
        }
        input.tick(mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.viewport(), intOf(at.get("x")), intOf(at.get("y"))));
      }
      case PRESS -> {
        if (t != null) {
          Map<String, Object> at = inspect(wait, "kubegradeInspector.focus(" + json(t) + "," + wait.toMillis() + ")");
          if (!Boolean.TRUE.equals(at.get("ok"))) {
            return cannot(a, at);
          }
        }
        input.sendKeys(Keys.toWebDriver(a.key()));
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
        String key = Boolean.TRUE.equals(at.get("down")) ? org.openqa.selenium.Keys.ARROW_DOWN.toString()
            : org.openqa.selenium.Keys.ARROW_UP.toString();
        input.sendKeys(key.repeat(presses));
      }
    }
    page.perform(wait.plus(GRACE), input);
    return null;
  }

  /** Press and release the left button where the pointer is (Actions.click() would move it first). */
  private static Actions click(Actions input, PointerInput mouse) {
    return input.tick(mouse.createPointerDown(PointerInput.MouseButton.LEFT.asArg()))
        .tick(mouse.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
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
