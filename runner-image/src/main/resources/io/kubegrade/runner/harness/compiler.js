// kubegrade compiler: runs in each browser's home tab, a long-lived page where no submission ever
// runs. Babel is loaded and JIT-warmed once per browser instead of once per submission, and a
// submission's source is only ever data here - parsed, never executed.
(function () {
  'use strict';
  var Babel = window.Babel;
  var OPTIONS = { presets: ['react'], plugins: ['transform-modules-commonjs'],
    sourceType: 'unambiguous', filename: 'Solution.jsx', retainLines: true };

  function compile(src) {
    try {
      return { status: 'ok', code: Babel.transform(src, OPTIONS).code };
    } catch (e) {
      var loc = e.loc || {};
      var message = String(e.message || e).split('\n')[0].replace(/^Solution\.jsx: /, '');
      return { status: 'compile', message: message, line: loc.line || null,
        column: loc.column == null ? null : loc.column + 1 };
    }
  }

  var SAMPLE = "import React, { useState } from 'react';\n" +
    "export default function Sample({ start = 0 }) {\n" +
    "  const [n, setN] = useState(start);\n" +
    "  const [text, setText] = React.useState('');\n" +
    "  return <div className=\"sample\"><p id=\"n\">Count: {n}</p>\n" +
    "    <button onClick={() => setN(n + 1)}>+</button>\n" +
    "    <label>Text <input value={text} onChange={e => setText(e.target.value)} /></label>\n" +
    "    {text && <ul>{text.split('').map((c, i) => <li key={i}>{c}</li>)}</ul>}</div>;\n" +
    "}\n" +
    "class Other extends React.Component { render() { return <>{this.props.children}</>; } }\n";

  function warm() {
    for (var i = 0; i < 20; i++) compile(SAMPLE + '// ' + i);
    return true;
  }

  Object.defineProperty(window, '__kubegradeCompiler', {
    value: Object.freeze({ compile: compile, warm: warm }), writable: false, configurable: false });
})();
