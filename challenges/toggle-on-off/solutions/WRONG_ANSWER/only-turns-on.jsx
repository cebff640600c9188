function App() {
  const [on, setOn] = React.useState(false);
  return <button onClick={() => setOn(true)}>{on ? 'ON' : 'OFF'}</button>;
}
