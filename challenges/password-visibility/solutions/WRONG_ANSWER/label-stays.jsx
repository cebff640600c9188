function App() {
  const [visible, setVisible] = React.useState(false);
  return (
    <div>
      <label htmlFor="pw">Password</label>
      <input id="pw" type={visible ? 'text' : 'password'} />
      <button onClick={() => setVisible(v => !v)}>Show</button>
    </div>
  );
}
