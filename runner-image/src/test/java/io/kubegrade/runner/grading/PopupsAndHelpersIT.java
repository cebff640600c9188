package io.kubegrade.runner.grading;

import static io.kubegrade.runner.testing.Grading.CLICK_CHALLENGE;
import static io.kubegrade.runner.testing.Grading.CLICK_CORRECT;
import static io.kubegrade.runner.testing.Grading.catalogueChallenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.SharedPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Popups, and pages that break what a driver relies on in the main world: a correct solution stays
 * ACCEPTED, nothing waits on a window the page opened, and the next submission is graded normally.
 */
@ExtendWith(SharedPool.class)
class PopupsAndHelpersIT {
  private static final Challenge CLICK = catalogueChallenge(CLICK_CHALLENGE);

  private static String clickThen(String extra) {
    return """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          return <button onClick={() => { setLabel('Clicked'); %s }}>{label}</button>;
        }
        """.formatted(extra);
  }

  private static void acceptedAndNextUnaffected(GradingPool pool, String source) {
    Verdict verdict = grade(pool, CLICK, source);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(verdict.durationMs()).as("graded within its own time limit").isLessThan(CLICK.limits().timeLimit().toMillis());
    Verdict next = grade(pool, CLICK, CLICK_CORRECT);
    assertThat(next.status()).as(next.message()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void aPopupOpenedByAClickChangesNothing(GradingPool pool) {
    acceptedAndNextUnaffected(pool, clickThen("window.open('about:blank');"));
  }

  @Test
  void aTargetBlankLinkChangesNothing(GradingPool pool) {
    acceptedAndNextUnaffected(pool, clickThen(
        "const a = document.createElement('a'); a.href = location.href; a.target = '_blank';"
            + " document.body.appendChild(a); a.click();"));
  }

  @Test
  void aPopupRunningABusyLoopCannotHangTheGrader(GradingPool pool) {
    acceptedAndNextUnaffected(pool, clickThen(
        "const w = window.open(''); if (w) w.setTimeout(() => { for (;;) {} }, 100);"));
  }

  @Test
  void aNativeAlertInAPopupCannotHangTheGrader(GradingPool pool) {
    acceptedAndNextUnaffected(pool, clickThen(
        "const w = window.open(''); if (w) w.setTimeout(() => w.alert('from the popup'), 50);"));
  }

  @Test
  void aPopupOpenedWhileMountingChangesNothing(GradingPool pool) {
    acceptedAndNextUnaffected(pool, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          React.useEffect(() => { const w = window.open(''); if (w) w.document.write('<p>popup</p>'); }, []);
          return <button onClick={() => setLabel('Clicked')}>{label}</button>;
        }
        """);
  }

  @Test
  void overridingJsonStringifyIsNotTheGradersFault(GradingPool pool) {
    acceptedAndNextUnaffected(pool, """
        JSON.stringify = () => { throw new Error('no JSON for you'); };
        JSON.parse = () => { throw new Error('no JSON for you'); };
        function App() {
          const [label, setLabel] = React.useState('Click me');
          return <button onClick={() => setLabel('Clicked')}>{label}</button>;
        }
        """);
  }

  @Test
  void breakingObjectAndArrayBuiltinsIsNotTheGradersFault(GradingPool pool) {
    Verdict verdict = grade(pool, CLICK, """
        Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'x', configurable: true });
        Array.prototype.push = function () { throw new Error('no push'); };
        Function.prototype.apply = function () { throw new Error('no apply'); };
        function App() { return <button>Click me</button>; }
        """);
    assertThat(verdict.status()).as(verdict.message()).isNotEqualTo(VerdictStatus.INTERNAL_ERROR);
    Verdict next = grade(pool, CLICK, CLICK_CORRECT);
    assertThat(next.status()).as(next.message()).isEqualTo(VerdictStatus.ACCEPTED);
  }
}
