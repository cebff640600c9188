function App() {
  const [value, setValue] = React.useState(0);
  return (
    <div>
      <button onClick={() => setValue(v => v + 1)}>-</button>
      <span id="value">{value}</span>
      <button onClick={() => setValue(v => v - 1)}>+</button>
    </div>
  );
}
