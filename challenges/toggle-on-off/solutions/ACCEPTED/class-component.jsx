class App extends React.Component {
  constructor(props) {
    super(props);
    this.state = { on: false };
    this.toggle = this.toggle.bind(this);
  }
  toggle() {
    this.setState(s => ({ on: !s.on }));
  }
  render() {
    return <button onClick={this.toggle}>{this.state.on ? 'ON' : 'OFF'}</button>;
  }
}
