function App() {
  const [message, setMessage] = React.useState('');
  const words = message.trim() ? message.trim().split(/\s+/).length : 0;
  return (
    <div>
      <label htmlFor="m">Message</label>
      <textarea id="m" value={message} onChange={e => setMessage(e.target.value)} />
      <p id="counter">{words} characters</p>
    </div>
  );
}
