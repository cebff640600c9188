// An infinite loop in requestIdleCallback: it runs once the page is idle - while the tests run.
function App() {
  React.useEffect(() => { requestIdleCallback(() => { for (;;) {} }); }, []);
  return <button>Click me</button>;
}
