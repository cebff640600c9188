import React, { useMemo, useState } from 'react';

const reverse = s => Array.from(s).reduceRight((acc, c) => acc + c, '');

export default function App() {
  const [text, setText] = useState('');
  const reversed = useMemo(() => reverse(text), [text]);
  return (
    <main>
      <input aria-label="Text" value={text} onChange={e => setText(e.target.value)} />
      <p id="reversed">{reversed}</p>
    </main>
  );
}
