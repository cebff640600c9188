package io.kubegrade.runner.security;

import static io.kubegrade.runner.testing.Grading.CLICK_CHALLENGE;
import static io.kubegrade.runner.testing.Grading.catalogueChallenge;
import static io.kubegrade.runner.testing.Grading.grade;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.browser.ProcessReaper;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.testing.Grading;
import io.kubegrade.runner.testing.SharedPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ways out of the page that are not the network, tried as an attacker would, in the shared pool's
 * real Chromium: handing a URL to the desktop (which starts programs on the host), downloads onto
 * the disk, and WebAssembly memory past the heap cap.
 */
@ExtendWith(SharedPool.class)
class BrowserEscapesIT {
  private static final Challenge CLICK = catalogueChallenge(CLICK_CHALLENGE);

  /** The environment of every process of the pool's browsers (they carry ProcessReaper's tag). */
  private static List<String> browserPaths() throws IOException {
    List<String> paths = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String environ;
        try {
          environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
          continue;
        }
        List<String> vars = List.of(environ.split("\0"));
        if (vars.stream().anyMatch(v -> v.startsWith(ProcessReaper.TAG + "="))) {
          paths.add(vars.stream().filter(v -> v.startsWith("PATH=")).findFirst().orElse("PATH=").substring(5));
        }
      }
    }
    return paths;
  }

  @Test
  void aPageCannotMakeTheBrowserStartAProgram(GradingPool pool) throws Exception {
    // mailto: and any other external scheme make Chromium run the desktop's handler (xdg-email,
    // xdg-open) - without a click. The submission is otherwise correct and must be graded so.
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          React.useEffect(() => {
            location.href = 'mailto:someone@example.test?body=' + encodeURIComponent(location.href);
            const a = document.createElement('a'); a.href = 'kubegrade-canary://run'; document.body.appendChild(a); a.click();
          }, []);
          return <button onClick={() => setLabel('Clicked')}>{label}</button>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);

    List<String> paths = browserPaths();
    assertThat(paths).as("the pool's browser processes").isNotEmpty();
    for (String path : paths) {
      for (String dir : path.split(":")) {
        if (dir.isEmpty()) {
          continue;
        }
        try (Stream<Path> programs = Files.exists(Path.of(dir)) ? Files.list(Path.of(dir)) : Stream.empty()) {
          assertThat(programs.map(Path::toString).toList()).as("programs the browser could start, in " + dir).isEmpty();
        }
      }
    }
  }

  @Test
  void downloadsAreRefused(GradingPool pool) throws Exception {
    Verdict verdict = grade(pool, CLICK, """
        function App() {
          const [label, setLabel] = React.useState('Click me');
          const save = () => {
            const blob = new Blob([new Uint8Array(8 << 20).fill(7)], { type: 'application/octet-stream' });
            const a = document.createElement('a');
            a.href = URL.createObjectURL(blob); a.download = 'kubegrade-canary-download.bin';
            document.body.appendChild(a); a.click();
          };
          React.useEffect(save, []);
          return <button onClick={() => { save(); setLabel('Clicked'); }}>{label}</button>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
    Thread.sleep(2000); // a download would have been written by now
    Path root = SharedPool.settings(2, "shared").browser().workRoot();
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.map(Path::getFileName).map(Path::toString)
          .filter(n -> n.contains("kubegrade-canary-download") || n.endsWith(".crdownload")).toList())
          .as("downloaded files under " + root).isEmpty();
    }
  }

  @Test
  void webAssemblyMemoryIsBoundedLikeTheHeap(GradingPool pool) {
    // 3 GiB, far past the heap cap: the heap limit alone does not count WebAssembly memory.
    Verdict verdict = grade(pool, CLICK, """
        let memory = null;
        function App() {
          const [label, setLabel] = React.useState('Click me');
          const hoard = () => {
            memory = new WebAssembly.Memory({ initial: 49152 });
            new Uint8Array(memory.buffer).fill(1);
            setLabel('Clicked');
          };
          return <button onClick={hoard}>{label}</button>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
    assertThat(verdict.message()).contains("WebAssembly memory");
    assertThat(grade(pool, CLICK, Grading.CLICK_CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
  }

  @Test
  void storageIsBoundedPerSubmissionAndLeavesWithIt(GradingPool pool) throws Exception {
    // 40 writes of 4 MB of incompressible data: without a quota Chromium accepted 400 MB, and kept it.
    Challenge hoard = Grading.challenge("""
        id: hoard
        title: Hoard
        statement: Click go; the status reads done once storing has ended.
        tests:
          - name: go
            steps:
              - do: click
                target: "#go"
              - expect: text
                target: "#status"
                equals: done
                timeout: 20s
        limits: { timeLimit: 30s }
        """);
    Verdict verdict = grade(pool, hoard, """
        function App() {
          const [status, setStatus] = React.useState('idle');
          const go = () => {
            const open = indexedDB.open('hoard', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('s');
            open.onsuccess = () => {
              const db = open.result;
              const write = (i) => {
                if (i === 40) { console.log('stored 160 MB'); setStatus('done'); return; }
                const words = new Uint32Array(1 << 20);
                let x = 2463534242 + i;
                for (let k = 0; k < words.length; k++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[k] = x; }
                const tx = db.transaction('s', 'readwrite');
                tx.objectStore('s').put(words, i);
                tx.oncomplete = () => write(i + 1);
                tx.onabort = () => { console.log('refused after ' + (i * 4) + ' MB: ' + (tx.error && tx.error.name)); setStatus('done'); };
              };
              write(0);
            };
            open.onerror = () => { console.log('no IndexedDB: ' + open.error); setStatus('done'); };
          };
          return <div><button id="go" onClick={go}>go</button><p id="status">{status}</p></div>;
        }
        """);
    assertThat(verdict.status()).as(verdict.message()).isEqualTo(VerdictStatus.ACCEPTED);
    assertThat(verdict.console()).as("what the page reported").anySatisfy(c -> assertThat(c.text()).contains("refused after"));
    int storedMb = verdict.console().stream().map(c -> c.text())
        .filter(t -> t.contains("refused after")).map(t -> t.replaceAll(".*refused after (\\d+) MB.*", "$1"))
        .mapToInt(Integer::parseInt).findFirst().orElseThrow();
    assertThat((long) storedMb << 20).as("bytes stored before the quota refused more")
        .isLessThanOrEqualTo(io.kubegrade.runner.grading.HarnessPage.STORAGE_QUOTA_BYTES);

    // The next submission in that browser finds the disk as it was: nothing of the hoard is left.
    assertThat(grade(pool, CLICK, Grading.CLICK_CORRECT).status()).isEqualTo(VerdictStatus.ACCEPTED);
    Path root = SharedPool.settings(2, "shared").browser().workRoot();
    try (Stream<Path> files = Files.walk(root)) {
      long indexedDbBytes = files.filter(f -> f.toString().contains("IndexedDB") && Files.isRegularFile(f))
          .mapToLong(f -> f.toFile().length()).sum();
      assertThat(indexedDbBytes).as("IndexedDB bytes left under " + root).isLessThan(2L << 20);
    }
  }
}
