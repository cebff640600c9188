function App() {
  const [message, setMessage] = React.useState('');
  return (
    <div>
      <label htmlFor="m">Message</label>
      <textarea id="m" value={message} onChange={e => setMessage(e.target.value)} />
      <p id="counter">{message.replace(/ /g, '').length} characters</p>
    </div>
  );
}
