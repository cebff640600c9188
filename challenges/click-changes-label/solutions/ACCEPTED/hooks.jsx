import React, { useState } from 'react';

export default function App() {
  const [clicked, setClicked] = useState(false);
  return <button onClick={() => setClicked(true)}>{clicked ? 'Clicked' : 'Click me'}</button>;
}
