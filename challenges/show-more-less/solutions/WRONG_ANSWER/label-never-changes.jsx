const TEXT = 'React lets you build user interfaces out of individual pieces called components.';
function App() {
  const [open, setOpen] = React.useState(false);
  return (
    <div>
      <p id="text">{open ? TEXT : TEXT.slice(0, 20) + '…'}</p>
      <button onClick={() => setOpen(o => !o)}>Show more</button>
    </div>
  );
}
