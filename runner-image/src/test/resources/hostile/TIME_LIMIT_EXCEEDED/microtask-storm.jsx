// Microtasks that schedule themselves forever, holding nothing: no task, timer or input ever runs
// again, and the heap stays where it was - TIME_LIMIT_EXCEEDED.
function App() {
  React.useEffect(() => { const spin = () => queueMicrotask(spin); spin(); }, []);
  return <button>Click me</button>;
}
