// 100 MB to the console - a hundred lines of 1 MB, then one message of 100 MB - from a correct
// component: the output is cut where it leaves the page, and the grading goes on.
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(() => {
    const line = 'x'.repeat(1 << 20);
    for (let i = 0; i < 100; i++) console.log(i, line);
    console.error('y'.repeat(100 << 20));
  }, []);
  return <button onClick={() => setLabel('Clicked')}>{label}</button>;
}
