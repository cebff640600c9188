// Promises that schedule themselves forever: no task, timer or input ever runs again - and each
// link of the chain is kept alive by the next (a promise resolved with a promise waits for it), so
// the heap climbs past the limit: read when the page stops responding, that is MEMORY_LIMIT_EXCEEDED.
function App() {
  React.useEffect(() => { const spin = () => Promise.resolve().then(spin); spin(); }, []);
  return <button>Click me</button>;
}
