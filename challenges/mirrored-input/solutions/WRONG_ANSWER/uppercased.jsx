function App() {
  const [text, setText] = React.useState('');
  return (
    <div>
      <label htmlFor="t">Text</label>
      <input id="t" value={text} onChange={e => setText(e.target.value)} />
      <p id="mirror">{text.toUpperCase()}</p>
    </div>
  );
}
