function App() {
  const [label, setLabel] = React.useState('Click me');
  return <button onMouseEnter={() => setLabel('Clicked')}>{label === 'Clicked' ? 'Clicked!' : label}</button>;
}
