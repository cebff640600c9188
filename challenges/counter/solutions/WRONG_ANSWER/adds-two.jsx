function App() {
  const [count, setCount] = React.useState(0);
  return (
    <div>
      <p id="count">{count}</p>
      <button onClick={() => setCount(count + 2)}>Increment</button>
    </div>
  );
}
