package io.kubegrade.api.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChallengeFormatTest {
  private static final String VALID = """
      id: counter
      title: Counter
      statement: Count clicks.
      difficulty: medium
      starterCode: "function App() { return null; }"
      limits:
        stepTimeout: 500ms
        timeLimit: 1.5s
        memoryMb: 128
      tests:
        - name: increments
          steps:
            - do: click
              target: { role: button, name: Increment }
            - do: type
              target: { label: Name }
              text: Ada
            - do: press
              key: Enter
            - do: select
              target: "#fruit"
              option: Banana
            - expect: text
              target: "#count"
              equals: "1"
            - expect: numberChange
              by: 1
            - expect: count
              target: { text: Item, nth: 2 }
              count: 3
            - expect: style
              target: body
              name: background-color
              matches: "rgb\\\\(.*\\\\)"
              timeout: 3s
            - expect: script
              script: "document.title === ''"
      """;

  @Test
  void readsEveryKindOfStep() {
    Challenge c = ChallengeFormat.parse(VALID, "test");

    assertThat(c.difficulty()).isEqualTo(Difficulty.MEDIUM);
    assertThat(c.limits()).isEqualTo(new Limits(Duration.ofMillis(500), Duration.ofMillis(1500), 128, Limits.DEFAULT_HOLD));
    var steps = c.tests().get(0).steps();
    assertThat(steps.get(0)).isEqualTo(new Action(ActionType.CLICK, Target.role("button", "Increment"), null, null, null));
    assertThat(steps.get(1)).isEqualTo(new Action(ActionType.TYPE, Target.label("Name"), "Ada", null, null));
    assertThat(steps.get(3)).isEqualTo(new Action(ActionType.SELECT, Target.css("#fruit"), null, null, "Banana"));
    assertThat(((Expectation) steps.get(4)).equalTo()).isEqualTo("1");
    assertThat(((Expectation) steps.get(6)).target()).isEqualTo(new Target(null, null, null, null, "Item", 2));
    assertThat(((Expectation) steps.get(7)).timeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void writesWhatItReads() {
    Challenge c = ChallengeFormat.parse(VALID, "test");

    assertThat(ChallengeFormat.parse(ChallengeFormat.write(c), "round trip")).isEqualTo(c);
  }

  @Test
  void defaultsLimitsAndDifficulty() {
    Challenge c = ChallengeFormat.parse("""
        id: x
        title: X
        statement: s
        tests: [{ name: t, steps: [{ expect: present, target: p }] }]
        """, "test");

    assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    assertThat(c.difficulty()).isEqualTo(Difficulty.EASY);
  }

  @Test
  void reportsEveryProblemWithItsPath() {
    assertThatThrownBy(() -> ChallengeFormat.parse("""
        id: Not An Id
        title: ""
        statement: s
        limits: { stepTimeout: 10ms }
        tests:
          - name: a
            steps:
              - do: type
                target: { css: input, label: Name }
              - expect: text
                target: p
              - expect: count
                target: li
          - name: a
            steps: []
        """, "broken.yaml"))
        .isInstanceOfSatisfying(InvalidChallengeException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "id: must be 1-63 lowercase letters, digits and dashes, starting with a letter or digit",
            "title: required",
            "limits.stepTimeout: must be between 50ms and 1m",
            "tests[0].steps[0].target: give exactly one of css, role, label, text (found 2)",
            "tests[0].steps[0]: 'type' needs 'text'",
            "tests[0].steps[1]: 'text' needs exactly one of equals, contains, matches",
            "tests[0].steps[2]: 'count' needs 'count'",
            "tests[1]: a test needs at least one step",
            "tests[1]: duplicate test name 'a'"))
        .hasMessageContaining("broken.yaml");
  }

  @Test
  void rejectsUnknownKeysActionsAndDurations() {
    assertThatThrownBy(() -> ChallengeFormat.parse("id: x\ntitle: X\nstatement: s\ntests: []\nsurprise: 1\n", "t"))
        .isInstanceOf(InvalidChallengeException.class).hasMessageContaining("surprise");
    assertThatThrownBy(() -> ChallengeFormat.parse("""
        id: x
        title: X
        statement: s
        tests: [{ name: t, steps: [{ do: tickle, target: p }] }]
        """, "t")).hasMessageContaining("unknown action 'tickle'").hasMessageContaining("doubleClick");
    assertThatThrownBy(() -> ChallengeFormat.parse("""
        id: x
        title: X
        statement: s
        limits: { timeLimit: soon }
        tests: [{ name: t, steps: [{ expect: present, target: p }] }]
        """, "t")).hasMessageContaining("'soon' is not a duration");
    assertThatThrownBy(() -> ChallengeFormat.parse("""
        id: x
        title: X
        statement: s
        tests: [{ name: t, steps: [{ do: click, expect: present, target: p }] }]
        """, "t")).hasMessageContaining("exactly one of 'do' (an action) or 'expect'");
  }

  @Test
  void rejectsBrokenYamlWithALineNumber() {
    assertThatThrownBy(() -> ChallengeFormat.parse("id: x\ntitle: [unclosed\n", "t"))
        .isInstanceOf(InvalidChallengeException.class).hasMessageContaining("line");
  }

  @Test
  void checksRegularExpressionsAndKeys() {
    assertThatThrownBy(() -> ChallengeFormat.parse("""
        id: x
        title: X
        statement: s
        tests: [{ name: t, steps: [{ expect: text, target: p, matches: "(" }, { do: press, key: Hyper }] }]
        """, "t"))
        .isInstanceOfSatisfying(InvalidChallengeException.class, e -> assertThat(e.problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).contains("not a valid regular expression"))
            .anySatisfy(p -> assertThat(p).contains("unknown key 'Hyper'")));
  }
}
