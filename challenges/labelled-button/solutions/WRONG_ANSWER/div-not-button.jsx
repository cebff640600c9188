function App() {
  return <div className="button">Say hello</div>;
}
