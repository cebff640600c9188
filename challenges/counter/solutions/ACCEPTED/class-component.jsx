class App extends React.Component {
  state = { count: 0 };

  increment = () => this.setState(({ count }) => ({ count: count + 1 }));

  render() {
    return (
      <div>
        <p id="count">{this.state.count}</p>
        <button onClick={this.increment}>Increment</button>
      </div>
    );
  }
}
