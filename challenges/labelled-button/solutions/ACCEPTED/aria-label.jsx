const App = () => <button aria-label="Say hello">👋</button>;
