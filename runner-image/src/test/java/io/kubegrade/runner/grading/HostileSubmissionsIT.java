package io.kubegrade.runner.grading;

import static io.kubegrade.runner.testing.Grading.CLICK_CHALLENGE;
import static io.kubegrade.runner.testing.Grading.catalogueChallenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.TestOutcome;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.SharedPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Submissions that try to hang, fool or break the grader, in real Chromium. */
@ExtendWith(SharedPool.class)
class HostileSubmissionsIT {
  private static final Challenge CLICK = catalogueChallenge(CLICK_CHALLENGE);
  private static final String CORRECT = io.kubegrade.runner.testing.Grading.CLICK_CORRECT;

  @Test
  void infiniteLoopInRenderIsTimeLimitExceededAndTheBrowserGradesTheNextSubmission(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, "function App() { while (true) {} }");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
    assertThat(verdict.message()).contains("stopped responding");
    assertThat(verdict.tests()).extracting(t -> t.outcome()).containsExactly(TestOutcome.FAILED, TestOutcome.SKIPPED);
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void infiniteLoopInAClickHandlerIsTimeLimitExceeded(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK,
        "function App() { return <button onClick={() => { for (;;) {} }}>Click me</button>; }");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
    assertThat(verdict.passed()).isEqualTo(1);
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void infiniteLoopInATimerIsTimeLimitExceeded(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          React.useEffect(() => { setTimeout(() => { while (true) {} }, 0); }, []);
          return <button>Click me</button>;
        }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
  }

  @Test
  void dialogsDoNotBlockGrading(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          React.useEffect(() => { alert('mounted'); confirm('sure?'); prompt('name?'); }, []);
          return <button onClick={() => { alert('clicked'); setLabel('Clicked'); }}>{label}</button>;
        }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(verdict.console()).anySatisfy(c -> assertThat(c.text()).contains("[alert] clicked"));
  }

  @Test
  void aDialogFromAFreshIframeDoesNotBlockGrading(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          const click = () => {
            const frame = document.createElement('iframe');
            document.body.appendChild(frame);
            frame.contentWindow.alert('from a pristine window');
            setLabel('Clicked');
          };
          return <button onClick={click}>{label}</button>;
        }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void navigatingAwayIsARuntimeErrorNotAHang(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK,
        "function App() { return <button onClick={() => { location.href = 'about:blank'; }}>Click me</button>; }");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.message()).contains("navigated away");
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void windowCloseDoesNotBreakGrading(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK,
        "function App() { return <button onClick={() => window.close()}>Click me</button>; }");

    assertThat(verdict.status()).isIn(VerdictStatus.WRONG_ANSWER, VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.passed()).isEqualTo(1);
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void faking_the_DOM_APIs_does_not_fool_the_grader(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        Object.defineProperty(HTMLElement.prototype, 'innerText', { get() { return 'Clicked'; } });
        Object.defineProperty(Node.prototype, 'textContent', { get() { return 'Clicked'; } });
        Document.prototype.querySelectorAll = function () { return []; };
        window.getComputedStyle = () => ({});
        window.setTimeout = () => 0;
        performance.now = () => 0;
        function App() { return <button>Click me</button>; }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    assertThat(verdict.tests().get(1).message()).contains("found \"Click me\"");
  }

  @Test
  void overwritingTheHarnessDoesNotBreakGrading(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        try { window.__kubegrade = { run: () => ({ status: 'ok' }) }; } catch (e) {}
        try { delete window.__kubegrade; } catch (e) {}
        window.React = null; window.ReactDOM = null; window.Babel = null;
        function App() {
          const [label, setLabel] = React.useState('Click me');
          return <button onClick={() => setLabel('Clicked')}>{label}</button>;
        }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void compileErrorsCarryLineAndColumn(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, "function App() {\n  return <button>Click me</buton>;\n}\n");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.COMPILE_ERROR);
    assertThat(verdict.compileError().line()).isEqualTo(2);
    assertThat(verdict.compileError().column()).isEqualTo(26);
    assertThat(verdict.compileError().message()).contains("closing tag");
    assertThat(verdict.tests()).allSatisfy(t -> assertThat(t.outcome()).isEqualTo(TestOutcome.SKIPPED));
  }

  @Test
  void anExceptionInRenderIsARuntimeErrorWithAStack(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        function Inner() { throw new TypeError('cannot read the label'); }
        export default function App() { return <Inner />; }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.runtimeError().message()).isEqualTo("TypeError: cannot read the label");
    assertThat(verdict.runtimeError().stack()).contains("Inner");
  }

  @Test
  void anExceptionInAHandlerIsARuntimeError(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK,
        "function App() { return <button onClick={() => { throw new Error('boom'); }}>Click me</button>; }");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.runtimeError().message()).contains("boom");
    assertThat(verdict.screenshotPng()).isNotBlank();
  }

  @Test
  void aSubmissionWithoutAComponentSaysHowToProvideOne(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, "const x = 1;");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.message()).contains("export default your component");
  }

  @Test
  void importingAnythingButReactIsAClearRuntimeError(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, "import _ from 'lodash';\nexport default function App() { return null; }");

    assertThat(verdict.status()).isEqualTo(VerdictStatus.RUNTIME_ERROR);
    assertThat(verdict.message()).contains("import of \"lodash\" is not available");
  }

  @Test
  void aPageThatHoardsMemoryIsMemoryLimitExceeded(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        const hoard = [];
        function App() {
          const [label, setLabel] = React.useState('Click me');
          const click = () => { for (let i = 0; i < 40; i++) hoard.push(new Float64Array(1 << 20).fill(i)); setLabel('Clicked'); };
          return <button onClick={click}>{label}</button>;
        }
        """);

    assertThat(verdict.status()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void aPageThatAllocatesWithoutBoundIsMemoryLimitExceeded(GradingPool pool) {
    // Whether V8 gives up first or the step's deadline does, the heap read at the deadline (on a
    // DevTools session of the grader's own) says the page was over its memory, not looping.
    for (int i = 0; i < 3; i++) {
      Verdict verdict = grade(pool, CLICK, """
          function App() {
            const click = () => { const all = []; for (;;) all.push(new Array(1 << 16).fill('x' + all.length)); };
            return <button onClick={click}>Click me</button>;
          }
          """);

      assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
    }
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void aPageStuckInALoopWithItsHeapUnderTheLimitIsTimeLimitExceeded(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        const keep = [];
        function App() {
          const click = () => { for (let i = 0; i < 300; i++) keep.push(new Array(1 << 14).fill(i)); for (;;) {} };
          return <button onClick={click}>Click me</button>;
        }
        """);

    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
    assertThat(grade(pool, CLICK, CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  private static final Challenge GREEN = io.kubegrade.runner.testing.Grading.challenge("""
      id: turns-green
      title: Turns green
      statement: Clicking go makes the status green.
      tests:
        - name: green
          steps:
            - do: click
              target: "#go"
            - expect: style
              target: "#status"
              name: color
              equals: green
      """);

  @Test
  void aPageCannotRestyleTheExpectedColour(GradingPool pool) {
    // If the grader put an element with the expected colour into the page, this rule would
    // rewrite it to the page's own red, and red would "equal" green.
    Verdict verdict = grade(pool, GREEN, """
        function App() {
          return <div><style>{'html > span, body > span { color: rgb(255, 0, 0) !important }'}</style>
            <button id="go">go</button><span id="status" style={{ color: 'red' }}>status</span></div>;
        }
        """);
    assertThat(verdict.status()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    assertThat(verdict.tests().get(0).message()).contains("rgb(255, 0, 0)");
  }

  @Test
  void aPageCannotReadTheExpectedColour(GradingPool pool) {
    // Whatever the grader adds to the page, this copies its colour onto the status and prints it.
    Verdict verdict = grade(pool, GREEN, """
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => {
          if (n.nodeType === 1 && n.id !== 'status' && n.style && n.style.color) {
            console.log('leaked ' + n.style.color);
            const s = document.getElementById('status'); if (s) s.style.color = n.style.color;
          }
        }))).observe(document.documentElement, { childList: true, subtree: true });
        function App() {
          return <div><button id="go">go</button><span id="status" style={{ color: 'red' }}>status</span></div>;
        }
        """);
    assertThat(verdict.status()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    assertThat(verdict.console()).noneSatisfy(c -> assertThat(c.text()).contains("leaked"));
  }

  @Test
  void coloursStillCompareByValue(GradingPool pool) {
    Verdict verdict = grade(pool, GREEN, """
        function App() {
          const [on, setOn] = React.useState(false);
          return <div><button id="go" onClick={() => setOn(true)}>go</button>
            <span id="status" style={{ color: on ? '#008000' : 'red' }}>status</span></div>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void aConsoleFloodIsGradedWithItsOutputCut(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          React.useEffect(() => {
            for (let i = 0; i < 200000; i++) console.log('flood line ' + i);
            console.error('x'.repeat(8 << 20));
          }, []);
          return <button onClick={() => setLabel('Clicked')}>{label}</button>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(verdict.consoleTruncated()).isTrue();
    assertThat(verdict.console()).hasSizeLessThanOrEqualTo(50)
        .allSatisfy(c -> assertThat(c.text().length()).isLessThan(10_000));
  }

  @Test
  void aNumberCyclingOnATimerDoesNotPassTheCounter(GradingPool pool) {
    Challenge counter = catalogueChallenge("counter");
    Verdict verdict = grade(pool, counter, """
        function App() {
          const [n, setN] = React.useState(0);
          React.useEffect(() => { const t = setInterval(() => setN(v => (v + 1) % 10), 100); return () => clearInterval(t); }, []);
          return <div><p id="count">{n}</p><button>Increment</button></div>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.WRONG_ANSWER);
    assertThat(verdict.passed()).isZero();
    assertThat(verdict.tests()).allSatisfy(t -> assertThat(t.message()).contains("to hold"));
  }

  @Test
  void aStateThatArrivesLateButStaysStillPasses(GradingPool pool) {
    Challenge counter = catalogueChallenge("counter");
    Verdict verdict = grade(pool, counter, """
        function App() {
          const [n, setN] = React.useState(0);
          return <div><p id="count">{n}</p>
            <button onClick={() => setTimeout(() => setN(v => v + 1), 150)}>Increment</button></div>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
  }
}
