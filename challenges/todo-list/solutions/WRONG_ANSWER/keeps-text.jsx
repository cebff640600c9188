function App() {
  const [items, setItems] = React.useState([]);
  const [text, setText] = React.useState('');
  const add = e => { e.preventDefault(); if (text.trim()) setItems([...items, text.trim()]); };
  return (
    <form onSubmit={add}>
      <label htmlFor="i">New item</label>
      <input id="i" value={text} onChange={e => setText(e.target.value)} />
      <button type="submit">Add</button>
      <ul>{items.map((item, i) => <li key={i}>{item}</li>)}</ul>
    </form>
  );
}
