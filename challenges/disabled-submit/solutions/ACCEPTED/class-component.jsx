class App extends React.Component {
  state = { email: '' };
  render() {
    const empty = !this.state.email.trim();
    return (
      <div>
        <label>Email <input onChange={e => this.setState({ email: e.target.value })} /></label>
        <button disabled={empty}>Submit</button>
      </div>
    );
  }
}
