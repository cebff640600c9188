function App() {
  const [email, setEmail] = React.useState('');
  return (
    <div>
      <label htmlFor="e">Email</label>
      <input id="e" value={email} onChange={e => setEmail(e.target.value)} />
      <button>Submit</button>
    </div>
  );
}
