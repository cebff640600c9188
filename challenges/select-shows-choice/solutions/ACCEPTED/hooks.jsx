const FRUITS = ['Apple', 'Banana', 'Cherry'];

function App() {
  const [fruit, setFruit] = React.useState('Apple');
  return (
    <div>
      <label htmlFor="fruit">Fruit</label>
      <select id="fruit" value={fruit} onChange={e => setFruit(e.target.value)}>
        {FRUITS.map(f => <option key={f}>{f}</option>)}
      </select>
      <p id="choice">You chose: {fruit}</p>
    </div>
  );
}
