function App() {
  const [message, setMessage] = React.useState('');
  return (
    <div>
      <label htmlFor="message">Message</label>
      <textarea id="message" value={message} onChange={e => setMessage(e.target.value)} />
      <p id="counter">{message.length} characters</p>
    </div>
  );
}
