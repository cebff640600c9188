export default function App() {
  const [name, setName] = React.useState({ first: '', last: '' });
  const update = field => e => setName({ ...name, [field]: e.target.value });
  const full = `${name.first} ${name.last}`.trim();
  return (
    <>
      <label htmlFor="first">First name</label>
      <input id="first" onChange={update('first')} />
      <label htmlFor="last">Last name</label>
      <input id="last" onChange={update('last')} />
      <p id="full">{'Full name: ' + full}</p>
    </>
  );
}
