// Characters that break naive embedding: a script end tag, HTML, line and paragraph separators,
// NUL, right-to-left override, astral characters, quotes and backslashes - in code, strings and JSX.
// </script><script>window.__pwned = true</script> <!-- -->
const STRANGE = '</script>\u0000\u2028\u2029\u202e"\'\\`${x}😀𝔘';
function App() {
  const [label, setLabel] = React.useState('Click me');
  return <div data-x={STRANGE} title="</script>">
    <span hidden>{STRANGE}</span>
    <button onClick={() => setLabel('Clicked')}>{label}</button>
  </div>;
}
