class App extends React.Component {
  state = { open: false };
  render() {
    return (
      <>
        <input id="toggle" type="checkbox" onChange={() => this.setState(s => ({ open: !s.open }))} />
        <label htmlFor="toggle">Show details</label>
        {this.state.open ? <p id="details">Here are the details.</p> : null}
      </>
    );
  }
}
