import { useState } from 'react';

export default function App() {
  const [password, setPassword] = useState('');
  const [shown, setShown] = useState(false);
  return (
    <form onSubmit={e => e.preventDefault()}>
      <label>
        Password
        <input type={shown ? 'text' : 'password'} value={password} onChange={e => setPassword(e.target.value)} />
      </label>
      <button type="button" onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Show'}</button>
    </form>
  );
}
