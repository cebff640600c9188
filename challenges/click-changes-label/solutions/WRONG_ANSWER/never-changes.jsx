const App = () => <button>Click me</button>;
