function App() {
  const [visible, setVisible] = React.useState(false);
  return (
    <div>
      <label htmlFor="pw">Password</label>
      {visible ? <input id="pw" key="a" type="text" /> : <input id="pw" key="b" type="password" />}
      <button onClick={() => setVisible(v => !v)}>{visible ? 'Hide' : 'Show'}</button>
    </div>
  );
}
