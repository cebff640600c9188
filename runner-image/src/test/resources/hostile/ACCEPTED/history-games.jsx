// History and URL games that do not leave the document: pushState, replaceState, hash changes and
// a popstate storm. Each same-document navigation costs the page ~10 ms while DevTools is attached
// (200 of them took ~2 s here, and overran the step's deadline on a loaded CI run), so 50.
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(() => {
    for (let i = 0; i < 50; i++) history.pushState({ i }, '', '#step-' + i);
    history.replaceState(null, '', '/somewhere/else?x=1');
    location.hash = 'moved';
    window.addEventListener('popstate', () => history.go(1));
  }, []);
  return <button onClick={() => { history.pushState(null, '', '/clicked'); setLabel('Clicked'); }}>{label}</button>;
}
