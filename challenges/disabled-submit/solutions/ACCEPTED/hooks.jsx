function App() {
  const [email, setEmail] = React.useState('');
  return (
    <form onSubmit={e => e.preventDefault()}>
      <label htmlFor="email">Email</label>
      <input id="email" type="email" value={email} onChange={e => setEmail(e.target.value)} />
      <button type="submit" disabled={email.trim() === ''}>Submit</button>
    </form>
  );
}
