// A console flood through a console the harness never wrapped: a fresh iframe's own. Each line
// costs the page itself tens of microseconds with DevTools attached, so a million of them run
// past the step's deadline - the submission's own time, not output the verdict has to carry -
// and the next submission in that browser is unaffected.
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(() => {
    const frame = document.createElement('iframe');
    document.body.appendChild(frame);
    const console = frame.contentWindow.console;
    for (let i = 0; i < 1000000; i++) console.log('flood line ' + i);
  }, []);
  return <button onClick={() => setLabel('Clicked')}>{label}</button>;
}
