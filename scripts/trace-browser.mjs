// Where a Chromium browser process's main thread spends its CPU: traces it over DevTools for N
// seconds and prints its tasks by CPU time (nested events included, so rows overlap).
//   node --experimental-websocket scripts/trace-browser.mjs ws://127.0.0.1:PORT/devtools/browser/ID SECONDS
// PORT and ID: the two lines of <browser work dir>/profile/DevToolsActivePort of a running runner.
const [url, secs] = process.argv.slice(2);
const ws = new WebSocket(url);
let id = 0; const pending = new Map(); const events = [];
const send = (method, params = {}) => new Promise((res) => { const i = ++id; pending.set(i, res); ws.send(JSON.stringify({ id: i, method, params })); });
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  else if (msg.method === 'Tracing.dataCollected') events.push(...msg.params.value);
  else if (msg.method === 'Tracing.tracingComplete') done();
};
ws.onopen = async () => {
  await send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', 'toplevel.flow', 'devtools', 'navigation', 'loading', 'browser', 'ipc', 'mojom'] }, transferMode: 'ReportEvents' });
  setTimeout(() => send('Tracing.end'), secs * 1000);
};
function done() {
  // pid of the browser process: the process whose name metadata says Browser
  const names = {};
  for (const e of events) if (e.ph === 'M' && e.name === 'process_name') names[e.pid] = e.args.name;
  const threads = {};
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads[e.pid + ':' + e.tid] = e.args.name;
  const agg = {};
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const proc = names[e.pid] || e.pid; const th = threads[e.pid + ':' + e.tid] || e.tid;
    if (proc !== 'Browser') continue;
    const where = e.args && (e.args.src_func || (e.args.task && e.args.task.posted_from && e.args.task.posted_from.function_name) || e.args.src_file) || '';
    const key = th + ' | ' + e.name + ' | ' + where;
    const a = agg[key] || (agg[key] = { n: 0, dur: 0, tdur: 0 }); a.n++; a.dur += e.dur; a.tdur += (e.tdur || 0);
  }
  const rows = Object.entries(agg).sort((x, y) => y[1].tdur - x[1].tdur).slice(0, 60);
  for (const [k, v] of rows) console.log((v.tdur / 1000).toFixed(1).padStart(8), 'ms cpu', (v.dur / 1000).toFixed(1).padStart(8), 'ms wall', String(v.n).padStart(6), k);
  ws.close(); process.exit(0);
}
