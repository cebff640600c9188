function App() {
  const [hover, setHover] = React.useState(false);
  return <div id="box" style={{ padding: 24 }} onMouseEnter={() => setHover(true)}>{hover ? 'Hovering!' : 'Hover me'}</div>;
}
