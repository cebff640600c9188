// Every way WebRTC can send a packet by itself, bypassing the HTTP proxy: STUN and TURN servers
// (UDP, TCP, TLS; IP literals and names), remote candidates for connectivity checks (public,
// private, link-local, loopback, mDNS .local names), a loopback pair of peer connections, and
// media capture - while the component itself is correct. No packet may leave the browser.
const SERVERS = [
  { urls: ['stun:93.184.216.34:3478', 'stun:[2606:2800:220:1::1]:3478', 'stun:stun.example.com:19302'] },
  { urls: ['turn:93.184.216.34:3478?transport=udp', 'turn:93.184.216.34:3478?transport=tcp', 'turns:93.184.216.34:5349'],
    username: 'u', credential: 'p' },
];
const REMOTES = ['93.184.216.34', '10.0.0.1', '169.254.169.254', '127.0.0.1', '224.0.0.251',
  '0f6a8e3c-3b7d-4c7e-9d51-0c8a1b2f3e4d.local'];
function tryWebRtc() {
  const attempt = (f) => { try { f(); } catch (e) { /* refused: fine */ } };
  attempt(() => {
    const pc = new RTCPeerConnection({ iceServers: SERVERS, iceCandidatePoolSize: 4 });
    pc.createDataChannel('x');
    pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(() => {});
  });
  attempt(() => {
    // A remote description with candidates of every kind: ICE sends checks to each it can reach.
    const pc = new RTCPeerConnection();
    pc.createDataChannel('y');
    pc.createOffer().then((o) => pc.setLocalDescription(o)).then(() => {
      const remote = pc.localDescription.sdp.replace(/a=ice-ufrag:.*/, 'a=ice-ufrag:abcd')
        .replace(/a=ice-pwd:.*/, 'a=ice-pwd:abcdefghijklmnopqrstuvwx').replace('a=setup:actpass', 'a=setup:active');
      return pc.setRemoteDescription({ type: 'answer', sdp: remote });
    }).then(() => Promise.all(REMOTES.map((ip, i) => pc.addIceCandidate({ sdpMid: '0', sdpMLineIndex: 0,
      candidate: `candidate:${i} 1 udp 2122260223 ${ip} ${50000 + i} typ host` }).catch(() => {}))))
      .catch(() => {});
  });
  attempt(() => {
    // Two peers in one page: their host candidates would go out on the interface to meet.
    const a = new RTCPeerConnection(), b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => {});
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => {});
    a.createDataChannel('z');
    a.createOffer().then((o) => a.setLocalDescription(o)).then(() => b.setRemoteDescription(a.localDescription))
      .then(() => b.createAnswer()).then((o) => b.setLocalDescription(o)).then(() => a.setRemoteDescription(b.localDescription))
      .catch(() => {});
  });
  attempt(() => navigator.mediaDevices.getUserMedia({ audio: true, video: true }).catch(() => {}));
}
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(tryWebRtc, []);
  return <button onClick={() => { tryWebRtc(); setLabel('Clicked'); }}>{label}</button>;
}
