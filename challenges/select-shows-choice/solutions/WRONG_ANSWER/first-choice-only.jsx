function App() {
  const [fruit, setFruit] = React.useState('Apple');
  const [locked, setLocked] = React.useState(false);
  const choose = e => { if (!locked) { setFruit(e.target.value); setLocked(true); } };
  return (
    <div>
      <label htmlFor="f">Fruit</label>
      <select id="f" onChange={choose}>
        <option>Apple</option><option>Banana</option><option>Cherry</option>
      </select>
      <p id="choice">You chose: {fruit}</p>
    </div>
  );
}
