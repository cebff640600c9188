function App() {
  const [hover, setHover] = React.useState(false);
  return <div id="box" style={{ padding: 24 }} onClick={() => setHover(h => !h)}>{hover ? 'Hovering!' : 'Hover me'}</div>;
}
