// Native dialogs and print(), the page's own and an iframe's pristine ones, while mounting and in
// the click handler: none may block the grader.
function nag(why) {
  alert(why); confirm(why); prompt(why, 'x'); print();
  const f = document.createElement('iframe');
  document.body.appendChild(f);
  try { f.contentWindow.alert(why); f.contentWindow.confirm(why); f.contentWindow.prompt(why); f.contentWindow.print(); } catch (e) { /* refused */ }
}
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(() => nag('mounted'), []);
  return <button onClick={() => { setLabel('Clicked'); nag('clicked'); }}>{label}</button>;
}
