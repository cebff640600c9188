package io.kubegrade.runner.grading;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.event.ConsoleEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The console of one harness page, as the page's own DevTools connection reports it: console API
 * calls and the browser's own log lines (failed loads, refusals), in order, bounded. Past
 * {@link #KEEP} lines it stops listening ({@code onFull} turns the reports off), so a flood
 * costs neither memory here nor a message per line.
 */
final class PageConsole {
  /** Lines kept: more than a verdict shows, so that dropping the grader's noise still leaves enough. */
  static final int KEEP = 100;
  /** Characters kept of one line: more than a verdict shows, so that a cut line is still marked cut. */
  static final int KEEP_CHARS = 2_000;

  /** What the page logged, and whether more was dropped. */
  record Lines(List<ConsoleEntry> entries, boolean dropped) {}

  private final Runnable onFull;
  private final List<ConsoleEntry> entries = new ArrayList<>();
  private boolean dropped;

  PageConsole(Runnable onFull) {
    this.onFull = onFull;
  }

  /** A {@code Runtime.consoleAPICalled} event. */
  void consoleCalled(JsonNode params) {
    StringBuilder text = new StringBuilder();
    for (JsonNode arg : params.path("args")) {
      if (text.length() >= KEEP_CHARS) {
        break;
      }
      if (!text.isEmpty()) {
        text.append(' ');
      }
      text.append(describe(arg));
    }
    add(level(params.path("type").asText()), text);
  }

  /** A {@code Log.entryAdded} event: the browser's own line about the page. */
  void logged(JsonNode entry) {
    String url = entry.path("url").asText("");
    StringBuilder text = new StringBuilder();
    if (!url.isEmpty()) {
      text.append(url).append(" - ");
    }
    text.append(entry.path("text").asText(""));
    add(level(entry.path("level").asText()), text);
  }

  synchronized Lines lines() {
    return new Lines(List.copyOf(entries), dropped);
  }

  private void add(String level, StringBuilder text) {
    boolean full;
    synchronized (this) {
      if (entries.size() >= KEEP) {
        dropped = true;
        return;
      }
      String line = text.length() > KEEP_CHARS ? text.substring(0, KEEP_CHARS) : text.toString();
      entries.add(new ConsoleEntry(level, line));
      full = entries.size() == KEEP;
    }
    if (full) {
      onFull.run();
    }
  }

  /** A console argument as the console would print it: strings as they are, the rest by value or description. */
  private static String describe(JsonNode arg) {
    String type = arg.path("type").asText();
    if (arg.has("value")) {
      JsonNode value = arg.get("value");
      return value.isTextual() ? value.asText() : value.toString();
    }
    if (arg.has("unserializableValue")) {
      return arg.get("unserializableValue").asText();
    }
    if ("undefined".equals(type)) {
      return "undefined";
    }
    return arg.path("description").asText(type);
  }

  /** The console's level in the names verdicts use (java.util.logging's, as chromedriver reported them). */
  private static String level(String browserLevel) {
    return switch (browserLevel) {
      case "error", "assert" -> "SEVERE";
      case "warning" -> "WARNING";
      case "debug", "verbose" -> "DEBUG";
      default -> "INFO";
    };
  }
}
