// Break what a driver's helpers use in the page's main world (chromedriver's own scripts call
// JSON.stringify): a correct solution must not become the grader's fault.
JSON.stringify = () => { throw new Error('no JSON'); };
JSON.parse = () => { throw new Error('no JSON'); };
Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'forged', configurable: true, writable: true });
Element.prototype.getBoundingClientRect = () => ({ x: -1, y: -1, width: 0, height: 0, top: -1, left: -1, right: -1, bottom: -1 });
document.elementFromPoint = () => null;
window.getComputedStyle = () => ({ getPropertyValue: () => 'forged', display: 'none', visibility: 'hidden' });
function App() {
  const [label, setLabel] = React.useState('Click me');
  return <button onClick={() => setLabel('Clicked')}>{label}</button>;
}
