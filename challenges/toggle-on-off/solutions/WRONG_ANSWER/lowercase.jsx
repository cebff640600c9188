function App() {
  const [on, setOn] = React.useState(false);
  return <button onClick={() => setOn(!on)}>{on ? 'on' : 'off'}</button>;
}
