package io.kubegrade.runner.grading;

import io.kubegrade.api.challenge.Keys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trusted input for the harness tab as DevTools {@code Input.*} commands. Input goes straight to
 * the browser, not through chromedriver's actions: those run chromedriver's own helpers in the
 * page's main world, where a submission can break them (overriding {@code JSON.stringify} made
 * every click the grader's fault).
 */
final class PageInput {
  /** One DevTools command. */
  record Command(String method, Map<String, Object> params) {}

  /** A key as the browser's keyboard layout describes it. */
  record Key(String key, String code, int keyCode, String text) {}

  private static final int CONTROL = 2;
  private static final Key CONTROL_KEY = new Key("Control", "ControlLeft", 17, null);
  private static final Map<String, Key> NAMED = Map.ofEntries(
      Map.entry("enter", new Key("Enter", "Enter", 13, "\r")),
      Map.entry("tab", new Key("Tab", "Tab", 9, null)),
      Map.entry("escape", new Key("Escape", "Escape", 27, null)),
      Map.entry("backspace", new Key("Backspace", "Backspace", 8, null)),
      Map.entry("delete", new Key("Delete", "Delete", 46, null)),
      Map.entry("space", new Key(" ", "Space", 32, " ")),
      Map.entry("arrowup", new Key("ArrowUp", "ArrowUp", 38, null)),
      Map.entry("arrowdown", new Key("ArrowDown", "ArrowDown", 40, null)),
      Map.entry("arrowleft", new Key("ArrowLeft", "ArrowLeft", 37, null)),
      Map.entry("arrowright", new Key("ArrowRight", "ArrowRight", 39, null)),
      Map.entry("home", new Key("Home", "Home", 36, null)),
      Map.entry("end", new Key("End", "End", 35, null)),
      Map.entry("pageup", new Key("PageUp", "PageUp", 33, null)),
      Map.entry("pagedown", new Key("PageDown", "PageDown", 34, null)));

  private final List<Command> commands = new ArrayList<>();
  private int x;
  private int y;

  List<Command> commands() {
    return commands;
  }

  PageInput moveTo(int x, int y) {
    this.x = x;
    this.y = y;
    return mouse("mouseMoved", Map.of());
  }

  /** Left button down and up where the pointer is; {@code count} 2 for the second of a double click. */
  PageInput click(int count) {
    mouse("mousePressed", Map.of("button", "left", "buttons", 1, "clickCount", count));
    return mouse("mouseReleased", Map.of("button", "left", "buttons", 0, "clickCount", count));
  }

  /** A key by its challenge name ({@link Keys}) or one character. */
  PageInput press(String name) {
    return tap(keyFor(name), 0);
  }

  /** Each character typed as a key press, as a user would (keydown, input, keyup). */
  PageInput type(String text) {
    text.codePoints().forEach(cp -> tap(character(new String(Character.toChars(cp))), 0));
    return this;
  }

  /** Control held around a key: Control+End, Control+A. */
  PageInput withControl(String name) {
    key("rawKeyDown", CONTROL_KEY, CONTROL, false);
    tap(keyFor(name), CONTROL);
    return key("keyUp", CONTROL_KEY, 0, false);
  }

  PageInput repeat(String name, int times) {
    for (int i = 0; i < times; i++) {
      press(name);
    }
    return this;
  }

  private PageInput mouse(String type, Map<String, Object> extra) {
    Map<String, Object> params = new HashMap<>(extra);
    params.put("type", type);
    params.put("x", x);
    params.put("y", y);
    commands.add(new Command("Input.dispatchMouseEvent", params));
    return this;
  }

  private PageInput tap(Key k, int modifiers) {
    // With Control held a letter types nothing: the browser runs its editing command instead.
    key(k.text() != null && modifiers == 0 ? "keyDown" : "rawKeyDown", k, modifiers, modifiers == 0);
    return key("keyUp", k, modifiers, false);
  }

  private PageInput key(String type, Key k, int modifiers, boolean withText) {
    Map<String, Object> params = new HashMap<>();
    params.put("type", type);
    params.put("key", k.key());
    params.put("code", k.code());
    params.put("windowsVirtualKeyCode", k.keyCode());
    params.put("nativeVirtualKeyCode", k.keyCode());
    params.put("modifiers", modifiers);
    if (withText && k.text() != null) {
      params.put("text", k.text());
      params.put("unmodifiedText", k.text());
    }
    commands.add(new Command("Input.dispatchKeyEvent", params));
    return this;
  }

  static Key keyFor(String name) {
    Key named = NAMED.get(name.toLowerCase(Locale.ROOT));
    if (named != null) {
      return named;
    }
    if (name.codePointCount(0, name.length()) != 1) {
      throw new IllegalArgumentException("unknown key '" + name + "'");
    }
    return character(name);
  }

  private static Key character(String ch) {
    if (ch.equals("\n") || ch.equals("\r")) {
      return NAMED.get("enter");
    }
    if (ch.equals("\t")) {
      return NAMED.get("tab");
    }
    char c = ch.charAt(0);
    if (ch.length() == 1 && c < 128) {
      if (Character.isLetter(c)) {
        char upper = Character.toUpperCase(c);
        return new Key(ch, "Key" + upper, upper, ch);
      }
      if (Character.isDigit(c)) {
        return new Key(ch, "Digit" + c, c, ch);
      }
      if (c == ' ') {
        return NAMED.get("space");
      }
    }
    return new Key(ch, "", 0, ch);
  }
}
