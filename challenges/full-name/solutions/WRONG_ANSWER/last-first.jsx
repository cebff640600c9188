function App() {
  const [first, setFirst] = React.useState('');
  const [last, setLast] = React.useState('');
  return (
    <div>
      <label>First name <input onChange={e => setFirst(e.target.value)} /></label>
      <label>Last name <input onChange={e => setLast(e.target.value)} /></label>
      <p id="full">Full name: {[last, first].filter(Boolean).join(' ')}</p>
    </div>
  );
}
