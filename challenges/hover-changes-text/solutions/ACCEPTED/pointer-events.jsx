export default function App() {
  const [label, setLabel] = React.useState('Hover me');
  return (
    <main style={{ padding: 40 }}>
      <button id="box" onPointerOver={() => setLabel('Hovering!')} onPointerOut={() => setLabel('Hover me')}>
        {label}
      </button>
    </main>
  );
}
