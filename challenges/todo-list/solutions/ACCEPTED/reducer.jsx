import { useReducer, useRef } from 'react';

function reducer(items, item) {
  return [...items, { id: items.length + 1, text: item }];
}

export default function App() {
  const [items, add] = useReducer(reducer, []);
  const input = useRef(null);
  const submit = () => {
    const value = input.current.value.trim();
    if (value) add(value);
    input.current.value = '';
  };
  return (
    <div>
      <input aria-label="New item" ref={input} onKeyDown={e => e.key === 'Enter' && submit()} />
      <button onClick={submit}>Add</button>
      <ul>{items.map(i => <li key={i.id}>{i.text}</li>)}</ul>
    </div>
  );
}
