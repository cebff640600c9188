// Every network path a page has, to the internet, cloud metadata, IP literals in every spelling and
// the grader's own ports - while the component itself is correct. None may break the grading.
const TARGETS = ['http://example.com/', 'https://example.com/', 'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/', 'http://2130706433:6379/', 'http://0x7f000001:9515/', 'http://0177.0.0.1:4444/',
  'http://[::1]:6379/', 'http://0.0.0.0:9515/', 'http://127.0.0.1:8080/', 'http://localhost:9222/json'];
function tryEverything() {
  for (const url of TARGETS) {
    const attempt = (f) => { try { f(); } catch (e) { /* refused: fine */ } };
    attempt(() => fetch(url, { method: 'POST', body: 'x', mode: 'no-cors' }).catch(() => {}));
    attempt(() => { const x = new XMLHttpRequest(); x.open('GET', url); x.send(); });
    attempt(() => navigator.sendBeacon(url, 'x'));
    attempt(() => { new Image().src = url + 'i.png'; });
    attempt(() => { const s = document.createElement('script'); s.src = url + 's.js'; document.head.appendChild(s); });
    attempt(() => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = url + 'c.css'; document.head.appendChild(l); });
    attempt(() => { const st = document.createElement('style'); st.textContent = `@import url("${url}i.css"); body { background: url("${url}b.png"); }`; document.head.appendChild(st); });
    attempt(() => { const f = document.createElement('iframe'); f.src = url; document.body.appendChild(f); });
    attempt(() => { const w = new WebSocket(url.replace('http', 'ws')); w.onerror = () => {}; });
    attempt(() => { const es = new EventSource(url); es.onerror = () => es.close(); });
    attempt(() => new Worker(URL.createObjectURL(new Blob([`fetch(${JSON.stringify(url)})`]))));
    attempt(() => navigator.serviceWorker.register(url + 'sw.js').catch(() => {}));
    for (const rel of ['prefetch', 'preconnect', 'dns-prefetch', 'preload', 'modulepreload']) {
      attempt(() => { const l = document.createElement('link'); l.rel = rel; l.as = 'fetch'; l.href = url; document.head.appendChild(l); });
    }
    attempt(() => { const a = document.createElement('a'); a.href = '#'; a.ping = url; document.body.appendChild(a); a.click(); });
    attempt(() => { const f = document.createElement('form'); f.action = url; f.method = 'post'; document.body.appendChild(f); f.requestSubmit(); });
  }
  try {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:93.184.216.34:3478' },
      { urls: 'turn:93.184.216.34:3478', username: 'u', credential: 'p' }] });
    pc.createDataChannel('x');
    pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(() => {});
  } catch (e) { /* no WebRTC: fine */ }
}
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(tryEverything, []);
  return <button onClick={() => { tryEverything(); setLabel('Clicked'); }}>{label}</button>;
}
