class App extends React.Component {
  constructor(props) {
    super(props);
    this.state = { label: 'Click me' };
  }

  render() {
    return <button onClick={() => this.setState({ label: 'Clicked' })}>{this.state.label}</button>;
  }
}
