// The playground: sign in (local mode token), pick a challenge, edit, submit, and watch the
// submission's events arrive over a WebSocket until the verdict. No framework, no CDN.
(() => {
  const $ = (id) => document.getElementById(id);
  let token = null;
  let socket = null;
  let challenges = [];

  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    if (token) headers.Authorization = 'Bearer ' + token;
    const response = await fetch(path, Object.assign({}, options, { headers }));
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const problem = body && (body.detail || body.title);
      throw new Error(problem || ('HTTP ' + response.status));
    }
    return body;
  }

  function text(tag, content, className) {
    const el = document.createElement(tag);
    el.textContent = content;
    if (className) el.className = className;
    return el;
  }

  // A small, safe markdown subset: paragraphs, `code`, **bold**; everything else is text.
  function renderStatement(markdown) {
    const target = $('statement');
    target.replaceChildren();
    for (const para of (markdown || '').split(/\n{2,}/)) {
      const p = document.createElement('p');
      for (const part of para.split(/(`[^`]+`|\*\*[^*]+\*\*)/)) {
        if (part.startsWith('`') && part.endsWith('`') && part.length > 1) p.append(text('code', part.slice(1, -1)));
        else if (part.startsWith('**') && part.endsWith('**') && part.length > 3) p.append(text('strong', part.slice(2, -2)));
        else p.append(document.createTextNode(part));
      }
      target.append(p);
    }
  }

  async function signIn(event) {
    if (event) event.preventDefault();
    const user = $('user').value.trim();
    try {
      const issued = await api('/api/v1/local/token', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, roles: [] })
      });
      token = issued.token;
      $('who').textContent = 'signed in as ' + user;
      $('submit').disabled = false;
    } catch (e) {
      $('who').textContent = 'sign-in failed: ' + e.message;
    }
  }

  async function loadChallenges() {
    challenges = await api('/api/v1/challenges');
    const select = $('challenge');
    select.replaceChildren(...challenges.map((c) => {
      const option = text('option', c.title + ' (' + c.difficulty.toLowerCase() + ')');
      option.value = c.id;
      return option;
    }));
    const wanted = new URLSearchParams(location.search).get('challenge');
    if (wanted && challenges.some((c) => c.id === wanted)) select.value = wanted;
    await showChallenge();
  }

  async function showChallenge() {
    const c = await api('/api/v1/challenges/' + encodeURIComponent($('challenge').value));
    $('challenge-title').textContent = c.title;
    renderStatement(c.statement);
    $('limits').textContent = 'time limit ' + c.limits.timeLimit + ', ' + c.tests.length + ' tests';
    $('test-names').replaceChildren(...c.tests.map((name) => text('li', name)));
    $('source').value = c.starterCode || '';
  }

  function describe(event) {
    switch (event.type) {
      case 'QUEUED': return '#' + event.seq + ' queued';
      case 'STARTED': return '#' + event.seq + ' started' + (event.message ? ': ' + event.message : '');
      case 'TEST_STARTED': return '#' + event.seq + ' test "' + event.test + '" started';
      case 'TEST_PASSED': return '#' + event.seq + ' test "' + event.test + '" passed (' + event.durationMs + ' ms)';
      case 'TEST_FAILED': return '#' + event.seq + ' test "' + event.test + '" failed: ' + (event.message || '');
      case 'VERDICT': return '#' + event.seq + ' verdict ' + event.verdict.status;
      default: return '#' + event.seq + ' ' + event.type;
    }
  }

  function showVerdict(v) {
    $('verdict').hidden = false;
    $('verdict-status').textContent = v.status;
    $('verdict-status').className = v.status;
    const where = v.compileError ? ' (line ' + v.compileError.line + ', column ' + v.compileError.column + ')' : '';
    $('verdict-message').textContent = (v.message || '') + where + ' - ' + v.passed + '/' + v.total + ' tests, ' + v.durationMs + ' ms';
    $('verdict-tests').replaceChildren(...(v.tests || []).map((t) =>
      text('li', t.name + ': ' + t.outcome + (t.message ? ' - ' + t.message : ''), t.outcome)));
    const lines = (v.console || []).map((c) => c.level + ': ' + c.text);
    $('verdict-console').hidden = lines.length === 0;
    $('verdict-console').textContent = lines.join('\n');
    if (v.screenshot) {
      // The verdict refers to the stored image; the API answers with a short-lived URL of it.
      api(v.screenshot).then((shot) => {
        $('screenshot').src = shot.url;
        $('screenshot').hidden = false;
      }).catch(() => { $('screenshot').hidden = true; });
    }
  }

  async function submit() {
    if (socket) socket.close();
    $('events').replaceChildren();
    $('verdict').hidden = true;
    $('screenshot').hidden = true;
    $('status').textContent = 'submitting...';
    try {
      const accepted = await api('/api/v1/submissions', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ challengeId: $('challenge').value, source: $('source').value })
      });
      $('status').textContent = 'submission ' + accepted.id;
      watch(accepted.id, 0);
    } catch (e) {
      $('status').textContent = 'rejected: ' + e.message;
    }
  }

  // Replays what already happened, then streams live; reconnects from the last seen event.
  function watch(id, after) {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + location.host + '/api/v1/submissions/' + id + '/events/ws?after=' + after
      + '&access_token=' + encodeURIComponent(token));
    let last = after;
    let finished = false;
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      last = event.seq;
      $('events').append(text('li', describe(event), event.type));
      if (event.type === 'VERDICT') {
        finished = true;
        showVerdict(event.verdict);
        $('status').textContent = 'submission ' + id + ': ' + event.verdict.status;
      }
    };
    socket.onclose = (close) => {
      if (!finished && close.code !== 4404) setTimeout(() => watch(id, last), 1000);
    };
  }

  $('login').addEventListener('submit', signIn);
  $('challenge').addEventListener('change', showChallenge);
  $('submit').addEventListener('click', submit);
  $('source').addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {
      e.preventDefault();
      const t = e.target;
      const s = t.selectionStart;
      t.value = t.value.slice(0, s) + '  ' + t.value.slice(t.selectionEnd);
      t.selectionStart = t.selectionEnd = s + 2;
    }
  });
  loadChallenges().catch((e) => { $('status').textContent = 'cannot load challenges: ' + e.message; });
  signIn();
})();
