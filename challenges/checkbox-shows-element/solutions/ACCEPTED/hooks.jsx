function App() {
  const [show, setShow] = React.useState(false);
  return (
    <div>
      <label>
        <input type="checkbox" checked={show} onChange={e => setShow(e.target.checked)} />
        Show details
      </label>
      {show && <p id="details">Here are the details.</p>}
    </div>
  );
}
