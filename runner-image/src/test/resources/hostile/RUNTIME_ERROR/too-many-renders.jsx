// Setting state while rendering: React gives up ("Too many re-renders").
function App() {
  const [n, setN] = React.useState(0);
  setN(n + 1);
  return <button>Click me</button>;
}
