const TEXT = 'React lets you build user interfaces out of individual pieces called components.';

const App = () => {
  const [expanded, setExpanded] = React.useState(false);
  return (
    <>
      <p id="text">{expanded ? TEXT : `${TEXT.substring(0, 20)}…`}</p>
      {expanded
        ? <button onClick={() => setExpanded(false)}>Show less</button>
        : <button onClick={() => setExpanded(true)}>Show more</button>}
    </>
  );
};
