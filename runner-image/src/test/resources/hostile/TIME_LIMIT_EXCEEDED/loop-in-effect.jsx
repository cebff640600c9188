// An infinite loop in an effect: the page hangs right after mounting.
function App() {
  React.useEffect(() => { for (;;) {} }, []);
  return <button>Click me</button>;
}
