import React, { useReducer } from 'react';

function reducer(state, action) {
  switch (action) {
    case 'inc': return state + 1;
    case 'dec': return state - 1;
    default: return state;
  }
}

export default function App() {
  const [value, dispatch] = useReducer(reducer, 0);
  return (
    <section>
      <output id="value">{value}</output>
      <button onClick={() => dispatch('inc')}>+</button>
      <button onClick={() => dispatch('dec')}>-</button>
    </section>
  );
}
