function App() {
  const [show, setShow] = React.useState(false);
  return (
    <div>
      <label><input type="checkbox" onChange={e => setShow(e.target.checked)} /> Show details</label>
      <p id="details" style={{ display: show ? 'block' : 'none' }}>Here are the details.</p>
    </div>
  );
}
