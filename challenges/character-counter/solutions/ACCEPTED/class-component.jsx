export default class App extends React.Component {
  state = { length: 0 };
  render() {
    return (
      <div>
        <textarea aria-label="Message" onChange={e => this.setState({ length: e.target.value.length })} />
        <p id="counter">{`${this.state.length} characters`}</p>
      </div>
    );
  }
}
