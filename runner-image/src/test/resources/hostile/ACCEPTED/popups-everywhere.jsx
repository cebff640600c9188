// Every way to open another window, while mounting and on click: window.open (with and without a
// user gesture), target=_blank links and forms, and an iframe's pristine window.open.
function spawn() {
  const attempt = (f) => { try { f(); } catch (e) { /* refused */ } };
  attempt(() => { const w = window.open('about:blank'); if (w) w.setTimeout(() => { for (;;) {} }, 10); });
  attempt(() => { const w = window.open(location.href, '_blank', 'popup'); if (w) w.alert('popup'); });
  attempt(() => { const a = document.createElement('a'); a.href = location.href; a.target = '_blank'; document.body.appendChild(a); a.click(); });
  attempt(() => { const f = document.createElement('form'); f.target = '_blank'; f.action = location.href; document.body.appendChild(f); f.submit(); });
  attempt(() => { const i = document.createElement('iframe'); document.body.appendChild(i); i.contentWindow.open('about:blank'); });
}
function App() {
  const [label, setLabel] = React.useState('Click me');
  React.useEffect(spawn, []);
  return <button onClick={() => { setLabel('Clicked'); spawn(); }}>{label}</button>;
}
