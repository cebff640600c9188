export default class App extends React.Component {
  state = { dark: false };
  toggle = () => {
    const dark = !this.state.dark;
    document.body.style.background = dark ? '#000' : 'rgb(255, 255, 255)';
    this.setState({ dark });
  };
  render() {
    return <button onClick={this.toggle}>{this.state.dark ? 'Light mode' : 'Dark mode'}</button>;
  }
}
