// Throwing something that is not an Error (null) from render.
function App() {
  throw null;
}
