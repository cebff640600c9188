package io.kubegrade.runner.grading;

import static io.kubegrade.runner.testing.Grading.challenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.TestResult;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.SharedPool;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each kind of step against a component made for it; failures say what was expected and found. */
@ExtendWith(SharedPool.class)
class StepsIT {
  private static final String COMPONENT = """
      function App() {
        const [clicks, setClicks] = React.useState(0);
        const [doubles, setDoubles] = React.useState(0);
        const [key, setKey] = React.useState('');
        const [color, setColor] = React.useState('red');
        return (
          <main>
            <h1 title="greeting" data-kind="hello">Hello, world</h1>
            <button onClick={() => setClicks(c => c + 1)} onDoubleClick={() => setDoubles(d => d + 1)}>Tap</button>
            <p id="clicks">Clicks: {clicks}</p>
            <p id="doubles">Doubles: {doubles}</p>
            <input aria-label="Keys" onKeyDown={e => setKey(e.key)} />
            <p id="key">{key}</p>
            <div id="swatch" style={{ color }} onMouseEnter={() => setColor('blue')}>swatch</div>
            <ul><li>one</li><li>two</li><li>three</li></ul>
            <button disabled>Locked</button>
            <div style={{ position: 'relative' }}>
              <button id="under">Under</button>
              <div style={{ position: 'absolute', inset: 0, background: 'white' }}>cover</div>
            </div>
          </main>
        );
      }
      """;

  private static final String STEPS = """
      id: steps
      title: Steps
      statement: Every step kind.
      limits: { stepTimeout: 300ms }
      tests:
        - name: double click counts two clicks and a double click
          steps:
            - do: doubleClick
              target: { text: Tap }
            - expect: text
              target: "#doubles"
              equals: "Doubles: 1"
            - expect: numberChange
              target: "#clicks"
              by: 2
        - name: keys and matchers
          steps:
            - do: press
              target: { label: Keys }
              key: ArrowDown
            - expect: text
              target: "#key"
              equals: ArrowDown
            - expect: text
              target: { role: heading }
              contains: "world"
            - expect: attribute
              target: h1
              name: data-kind
              matches: "hel+o"
            - expect: count
              target: { role: listitem }
              count: 3
            - expect: text
              target: { role: listitem, nth: 2 }
              equals: three
            - do: hover
              target: "#swatch"
            - expect: style
              target: "#swatch"
              name: color
              equals: blue
            - expect: script
              script: "document.querySelectorAll('li').length === 3"
        - name: wrong text
          steps:
            - expect: text
              target: "#clicks"
              equals: "Clicks: 5"
        - name: missing element
          steps:
            - expect: present
              target: "#nowhere"
        - name: disabled button
          steps:
            - do: click
              target: { role: button, name: Locked }
        - name: covered button
          steps:
            - do: click
              target: "#under"
        - name: wrong count
          steps:
            - expect: count
              target: li
              count: 2
        - name: still present
          steps:
            - expect: absent
              target: { text: two }
        - name: wrong number change
          steps:
            - do: click
              target: { text: Tap }
            - expect: numberChange
              target: "#clicks"
              by: 3
        - name: false script
          steps:
            - expect: script
              script: "document.title === 'nope'"
        - name: broken selector
          steps:
            - expect: present
              target: "div[["
      """;

  @Test
  void everyStepKindWorksAndEveryFailureSaysWhatItFound(GradingPool pool) {
    Verdict verdict = grade(pool, challenge(STEPS), COMPONENT);
    Map<String, TestResult> results = verdict.tests().stream().collect(Collectors.toMap(TestResult::name, t -> t));

    assertThat(verdict.status()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    assertThat(results.get("double click counts two clicks and a double click").outcome()).isEqualTo(TestOutcome.PASSED);
    assertThat(results.get("keys and matchers").outcome()).as(results.get("keys and matchers").message()).isEqualTo(TestOutcome.PASSED);
    assertThat(results.get("wrong text").message())
        .isEqualTo("expected text of css '#clicks' equal to \"Clicks: 5\", found \"Clicks: 0\"");
    assertThat(results.get("missing element").message()).isEqualTo("expected css '#nowhere' is present, found no such element");
    assertThat(results.get("disabled button").message()).contains("could not click role button named \"Locked\"").contains("which is disabled");
    assertThat(results.get("covered button").message()).contains("which is covered by <div>cover");
    assertThat(results.get("wrong count").message()).isEqualTo("expected 2 × css 'li', found 3 matching");
    assertThat(results.get("still present").message()).contains("<li>two is in the page");
    assertThat(results.get("wrong number change").message()).contains("a change of 1 (from 0 to 1)");
    assertThat(results.get("false script").message()).contains("expected script document.title === 'nope', found false");
    assertThat(results.get("broken selector").message()).contains("invalid CSS selector");
    assertThat(verdict.screenshotPng()).isNotBlank();
  }
}
