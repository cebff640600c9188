function App() {
  const [first, setFirst] = React.useState('');
  const [last, setLast] = React.useState('');
  return (
    <div>
      <label>First name <input value={first} onChange={e => setFirst(e.target.value)} /></label>
      <label>Last name <input value={last} onChange={e => setLast(e.target.value)} /></label>
      <p id="full">Full name: {[first, last].filter(Boolean).join(' ')}</p>
    </div>
  );
}
