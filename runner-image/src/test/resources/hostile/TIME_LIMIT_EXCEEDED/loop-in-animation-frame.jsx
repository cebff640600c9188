// An infinite loop in an animation frame callback, armed by the click.
function App() {
  return <button onClick={() => requestAnimationFrame(() => { for (;;) {} })}>Click me</button>;
}
