// Microtasks that schedule themselves forever: no task, timer or input ever runs again.
function App() {
  React.useEffect(() => { const spin = () => Promise.resolve().then(spin); spin(); }, []);
  return <button>Click me</button>;
}
