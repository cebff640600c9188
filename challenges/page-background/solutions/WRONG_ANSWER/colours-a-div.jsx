function App() {
  const [dark, setDark] = React.useState(false);
  return (
    <div style={{ background: dark ? 'black' : 'white', minHeight: '100vh' }}>
      <button onClick={() => setDark(d => !d)}>{dark ? 'Light mode' : 'Dark mode'}</button>
    </div>
  );
}
