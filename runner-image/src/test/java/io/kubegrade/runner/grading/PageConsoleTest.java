package io.kubegrade.runner.grading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.ConsoleEntry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The console as DevTools reports it (events as Chromium sends them), turned into verdict lines. */
class PageConsoleTest {
  private static JsonNode json(String text) throws Exception {
    return Json.mapper().readTree(text);
  }

  @Test
  void consoleCallsReadAsTheConsolePrintsThem() throws Exception {
    PageConsole console = new PageConsole(() -> {});
    console.consoleCalled(json("""
        {"type":"log","args":[{"type":"string","value":"count"},{"type":"number","value":3,"description":"3"},
         {"type":"boolean","value":true},{"type":"undefined"},{"type":"number","unserializableValue":"NaN"},
         {"type":"object","subtype":"array","className":"Array","description":"Array(2)"}]}"""));
    console.consoleCalled(json("{\"type\":\"error\",\"args\":[{\"type\":\"string\",\"value\":\"boom\"}]}"));
    console.consoleCalled(json("{\"type\":\"warning\",\"args\":[{\"type\":\"string\",\"value\":\"careful\"}]}"));
    console.logged(json("{\"source\":\"network\",\"level\":\"error\",\"text\":\"Failed to load resource\",\"url\":\"http://x.grader.test/a.png\"}"));

    assertThat(console.lines().entries()).containsExactly(
        new ConsoleEntry("INFO", "count 3 true undefined NaN Array(2)"),
        new ConsoleEntry("SEVERE", "boom"),
        new ConsoleEntry("WARNING", "careful"),
        new ConsoleEntry("SEVERE", "http://x.grader.test/a.png - Failed to load resource"));
    assertThat(console.lines().dropped()).isFalse();
  }

  @Test
  void aFloodIsKeptToItsFirstLinesAndStopsTheReportsOnce() throws Exception {
    AtomicInteger stopped = new AtomicInteger();
    PageConsole console = new PageConsole(stopped::incrementAndGet);
    JsonNode line = json("{\"type\":\"log\",\"args\":[{\"type\":\"string\",\"value\":\"flood\"}]}");
    for (int i = 0; i < PageConsole.KEEP * 3; i++) {
      console.consoleCalled(line);
    }

    assertThat(console.lines().entries()).hasSize(PageConsole.KEEP);
    assertThat(console.lines().dropped()).isTrue();
    assertThat(stopped).hasValue(1);
  }

  @Test
  void aHugeLineIsCutBeforeItIsKept() throws Exception {
    PageConsole console = new PageConsole(() -> {});
    String huge = "x".repeat(1 << 20);
    console.consoleCalled(json("{\"type\":\"log\",\"args\":[{\"type\":\"string\",\"value\":\"" + huge + "\"},"
        + "{\"type\":\"string\",\"value\":\"" + huge + "\"}]}"));

    assertThat(console.lines().entries()).singleElement()
        .satisfies(e -> assertThat(e.text()).hasSize(PageConsole.KEEP_CHARS));
  }
}
