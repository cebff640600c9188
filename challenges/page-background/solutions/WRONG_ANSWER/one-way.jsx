function App() {
  const [dark, setDark] = React.useState(false);
  const go = () => { document.body.style.backgroundColor = 'black'; setDark(d => !d); };
  return <button onClick={go}>{dark ? 'Light mode' : 'Dark mode'}</button>;
}
