export default function App() {
  return <button type="button">Say hello</button>;
}
