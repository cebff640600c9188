function App() {
  const [text, setText] = React.useState('');
  return (
    <div>
      <label htmlFor="text">Text</label>
      <input id="text" value={text} onChange={e => setText(e.target.value)} />
      <p id="mirror">{text}</p>
    </div>
  );
}
