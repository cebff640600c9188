function App() {
  const [hover, setHover] = React.useState(false);
  return (
    <div id="box" style={{ padding: 24, border: '1px solid' }}
      onMouseEnter={() => setHover(true)} onMouseLeave={() => setHover(false)}>
      {hover ? 'Hovering!' : 'Hover me'}
    </div>
  );
}
