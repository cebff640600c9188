// Unbounded recursion while rendering: a RangeError (maximum call stack size), caught by the harness.
function depth(n) { return depth(n + 1) + 1; }
function App() {
  return <button>{depth(0)}</button>;
}
