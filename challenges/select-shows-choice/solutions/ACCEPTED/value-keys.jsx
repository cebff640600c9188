import React from 'react';

const labels = { apple: 'Apple', banana: 'Banana', cherry: 'Cherry' };

export default class App extends React.Component {
  state = { fruit: 'apple' };
  render() {
    return (
      <div>
        <label>
          Fruit
          <select value={this.state.fruit} onChange={e => this.setState({ fruit: e.target.value })}>
            {Object.entries(labels).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <p id="choice">{'You chose: ' + labels[this.state.fruit]}</p>
      </div>
    );
  }
}
