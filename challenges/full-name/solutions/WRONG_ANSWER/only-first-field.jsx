function App() {
  const [first, setFirst] = React.useState('');
  return (
    <div>
      <label>First name <input onChange={e => setFirst(e.target.value)} /></label>
      <label>Last name <input /></label>
      <p id="full">Full name: {first}</p>
    </div>
  );
}
