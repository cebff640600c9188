function App() {
  return <button>Say Hello</button>;
}
