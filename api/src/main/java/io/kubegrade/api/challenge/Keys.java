package io.kubegrade.api.challenge;

import java.util.Map;
import java.util.TreeMap;

/** Key names a {@code press} step may use, mapped to their W3C WebDriver code points. */
public final class Keys {
  private static final Map<String, Character> NAMED = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  static {
    NAMED.put("Enter", '\uE007');
    NAMED.put("Tab", '\uE004');
    NAMED.put("Escape", '\uE00C');
    NAMED.put("Backspace", '\uE003');
    NAMED.put("Delete", '\uE017');
    NAMED.put("Space", ' ');
    NAMED.put("ArrowUp", '\uE013');
    NAMED.put("ArrowDown", '\uE015');
    NAMED.put("ArrowLeft", '\uE012');
    NAMED.put("ArrowRight", '\uE014');
    NAMED.put("Home", '\uE011');
    NAMED.put("End", '\uE010');
    NAMED.put("PageUp", '\uE00E');
    NAMED.put("PageDown", '\uE00F');
  }

  private Keys() {}

  public static boolean isKnown(String key) {
    return key.codePointCount(0, key.length()) == 1 || NAMED.containsKey(key);
  }

  /** The character WebDriver's key actions expect for {@code key}. */
  public static String toWebDriver(String key) {
    Character named = NAMED.get(key);
    return named != null ? String.valueOf(named) : key;
  }

  /** The named keys (besides single characters), in order. */
  public static java.util.Set<String> named() {
    return java.util.Collections.unmodifiableSet(NAMED.keySet());
  }

  static String names() {
    return String.join(", ", NAMED.keySet());
  }
}
