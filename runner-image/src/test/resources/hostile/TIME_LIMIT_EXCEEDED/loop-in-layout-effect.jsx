// An infinite loop in a layout effect: the page hangs before it ever paints.
function App() {
  React.useLayoutEffect(() => { while (true) {} }, []);
  return <button>Click me</button>;
}
