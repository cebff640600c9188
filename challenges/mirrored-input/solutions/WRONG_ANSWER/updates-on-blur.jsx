function App() {
  const [text, setText] = React.useState('');
  return (
    <div>
      <label htmlFor="t">Text</label>
      <input id="t" onBlur={e => setText(e.target.value)} />
      <p id="mirror">{text}</p>
    </div>
  );
}
