import { useState } from 'react';

export default function App() {
  const [value, setValue] = useState('');
  return (
    <form onSubmit={e => e.preventDefault()}>
      <label>
        Text
        <input type="text" onInput={e => setValue(e.currentTarget.value)} />
      </label>
      <p id="mirror">{value}</p>
    </form>
  );
}
