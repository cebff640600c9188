// A string doubled until the engine refuses it: RangeError (invalid string length) while rendering.
function App() {
  let s = 'x';
  for (;;) s += s;
  return <button>{s}</button>;
}
