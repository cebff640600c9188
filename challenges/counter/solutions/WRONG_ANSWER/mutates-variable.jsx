let count = 0;
function App() {
  return (
    <div>
      <p id="count">{count}</p>
      <button onClick={() => { count += 1; }}>Increment</button>
    </div>
  );
}
