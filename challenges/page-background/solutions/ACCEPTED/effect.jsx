function App() {
  const [dark, setDark] = React.useState(false);
  React.useEffect(() => {
    document.body.style.backgroundColor = dark ? 'black' : 'white';
  }, [dark]);
  return <button onClick={() => setDark(d => !d)}>{dark ? 'Light mode' : 'Dark mode'}</button>;
}
