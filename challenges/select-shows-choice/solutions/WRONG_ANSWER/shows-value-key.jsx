function App() {
  const [fruit, setFruit] = React.useState('apple');
  return (
    <div>
      <label htmlFor="f">Fruit</label>
      <select id="f" value={fruit} onChange={e => setFruit(e.target.value)}>
        <option value="apple">Apple</option>
        <option value="banana">Banana</option>
        <option value="cherry">Cherry</option>
      </select>
      <p id="choice">You chose: {fruit}</p>
    </div>
  );
}
