package io.kubegrade.runner.security;

import static io.kubegrade.runner.testing.Grading.challenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.SharedPool;
import org.junit.jupiter.api.Test;

/** One submission leaves traces everywhere it can; the next one in the same browser sees none. */
class IsolationIT {
  private static final Challenge SHOWS = challenge("""
      id: isolation-probe
      title: Isolation probe
      statement: Shows what it sees.
      tests:
        - name: sees
          steps:
            - expect: text
              target: "#seen"
              equals: "nothing"
      """);
  private static final Challenge WRITES = challenge("""
      id: isolation-writer
      title: Isolation writer
      statement: Writes traces and shows it can read them back.
      tests:
        - name: wrote
          steps:
            - expect: text
              target: "#seen"
              matches: "local=A session=A cookie=.*secret=A.* name=A"
      """);

  private static final String WRITER = """
      localStorage.setItem('secret', 'A');
      sessionStorage.setItem('secret', 'A');
      document.cookie = 'secret=A; path=/';
      document.cookie = 'shared=A; domain=grader.test; path=/';
      window.name = 'A';
      try { indexedDB.open('secret-db', 1); } catch (e) {}
      try { caches && caches.open('secret-cache'); } catch (e) {}
      function App() {
        return <p id="seen">{'local=' + localStorage.getItem('secret') + ' session=' + sessionStorage.getItem('secret')
          + ' cookie=' + document.cookie + ' name=' + window.name}</p>;
      }
      """;
  private static final String READER = """
      function App() {
        const [dbs, setDbs] = React.useState('');
        React.useEffect(() => { indexedDB.databases().then(list => setDbs(list.map(d => d.name).join(','))); }, []);
        const seen = [localStorage.getItem('secret'), sessionStorage.getItem('secret'), document.cookie,
          window.name, dbs, localStorage.length ? 'keys' : ''].filter(Boolean).join(' ');
        return <p id="seen">{seen || 'nothing'}</p>;
      }
      """;

  @Test
  void aSubmissionSeesNothingAnEarlierOneLeft() {
    // A one-browser pool, so the reader runs in the very browser the writer used.
    try (GradingPool pool = GradingPool.start(io.kubegrade.runner.testing.SharedPool.settings(1, "isolation"))) {
      Verdict writer = grade(pool, WRITES, WRITER);
      Verdict reader = grade(pool, SHOWS, READER);

      assertThat(writer.status()).as(writer.message()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(reader.status()).as(reader.message()).isEqualTo(VerdictStatus.ACCEPTED);
    }
  }
}
