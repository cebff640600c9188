// kubegrade harness: runs in the page's main world, loaded after React and ReactDOM. It mounts the
// submission, already compiled in the browser's home tab. Once the submission runs, everything in
// this world is the submission's to tamper with, and the grader only uses what this script reports
// to choose between error kinds, never to pass a test.
(function () {
  'use strict';
  var React = window.React, ReactDOM = window.ReactDOM;
  var createRoot = ReactDOM.createRoot, flushSync = ReactDOM.flushSync, h = React.createElement;
  var doc = document, FunctionCtor = Function, ErrorCtor = Error, push = Array.prototype.push;
  var getElementById = Document.prototype.getElementById;

  var compiled = null, root = null, errors = [], last = null;
  var HOOKS = ['useState', 'useEffect', 'useLayoutEffect', 'useRef', 'useMemo', 'useCallback',
    'useReducer', 'useContext', 'useId', 'useTransition', 'useDeferredValue', 'Fragment'];

  function describe(err) {
    if (err && typeof err === 'object') {
      return { message: String(err.name ? err.name + ': ' + err.message : err.message || err),
        stack: String(err.stack || '').split('\n').slice(0, 12).join('\n') };
    }
    return { message: 'Uncaught ' + String(err), stack: '' };
  }
  function record(err) { if (errors.length < 20) push.call(errors, describe(err)); }
  window.addEventListener('error', function (e) { record(e.error || e.message); });
  window.addEventListener('unhandledrejection', function (e) { record(e.reason); });

  // Console output is bounded before it leaves the page: the verdict keeps the first lines
  // (SubmissionGrader.CONSOLE_LINES), each cut to a length, and a page printing in a loop would
  // otherwise spend its time limit handing every line, whole, to DevTools and the grader. Past the
  // bound one line says so (which marks the verdict's console as cut) and the rest are dropped.
  var CONSOLE_LINES = 50, CONSOLE_CHARS = 1000, printed = 0, cutLine = console.info.bind(console);
  ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table'].forEach(function (name) {
    if (typeof console[name] !== 'function') return;
    var real = console[name].bind(console);
    console[name] = function () {
      printed++;
      if (printed > CONSOLE_LINES + 1) return;
      if (printed === CONSOLE_LINES + 1) {
        return cutLine('[kubegrade] console output cut: only the first ' + CONSOLE_LINES + ' lines are kept');
      }
      var parts = [];
      for (var i = 0; i < arguments.length; i++) {
        var a = arguments[i];
        push.call(parts, typeof a === 'string' && a.length > CONSOLE_CHARS ? a.slice(0, CONSOLE_CHARS) + '\u2026' : a);
      }
      return real.apply(null, parts);
    };
  });

  // Dialogs would block the page (and every grader call with it): they become console lines.
  var log = console.info.bind(console);
  window.alert = function (m) { log('[alert] ' + String(m)); };
  window.confirm = function (m) { log('[confirm] ' + String(m) + ' -> OK'); return true; };
  window.prompt = function (m, d) { log('[prompt] ' + String(m)); return d == null ? '' : String(d); };
  window.print = function () { log('[print]'); };

  function requireShim(name) {
    if (name === 'react') return React;
    if (name === 'react-dom' || name === 'react-dom/client') return ReactDOM;
    throw new ErrorCtor('import of "' + name + '" is not available here: only react and react-dom can be imported');
  }

  // Evaluates the module afresh (each test gets fresh module state) and finds the component:
  // export default, a binding named App, or the only exported function.
  function loadComponent() {
    var module = { exports: {} };
    var body = 'return (function(){\n' + compiled + '\n;return (typeof App !== "undefined") ? App : undefined;\n})();';
    var params = ['React', 'ReactDOM', 'require', 'module', 'exports'].concat(HOOKS);
    var args = [React, ReactDOM, requireShim, module, module.exports].concat(HOOKS.map(function (k) { return React[k]; }));
    var app = FunctionCtor.apply(null, params.concat([body])).apply(undefined, args);
    var exp = module.exports;
    var candidate = exp && exp.__esModule ? exp['default'] : (typeof exp === 'function' ? exp : exp['default']);
    if (typeof candidate !== 'function') candidate = app;
    if (typeof candidate !== 'function' && exp) {
      var fns = Object.keys(exp).filter(function (k) { return typeof exp[k] === 'function'; });
      if (fns.length === 1) candidate = exp[fns[0]];
    }
    return candidate;
  }

  var Boundary = (function () {
    function B(props) { React.Component.call(this, props); this.state = { failed: false }; }
    B.prototype = Object.create(React.Component.prototype);
    B.prototype.constructor = B;
    B.getDerivedStateFromError = function () { return { failed: true }; };
    B.prototype.componentDidCatch = function (err) { record(err); };
    B.prototype.render = function () { return this.state.failed ? null : this.props.children; };
    return B;
  })();

  function mount() {
    errors = [];
    if (root) { try { root.unmount(); } catch (e) { /* a broken tree still gets replaced */ } root = null; }
    var old = getElementById.call(doc, 'root');
    var container = doc.createElement('div');
    container.id = 'root';
    if (old && old.parentNode) old.parentNode.replaceChild(container, old); else doc.body.appendChild(container);
    var App;
    try { App = loadComponent(); } catch (e) { return { status: 'runtime', error: describe(e) }; }
    if (typeof App !== 'function') {
      return { status: 'no-component',
        message: 'no component found: export default your component, or name it App' };
    }
    try {
      root = createRoot(container);
      flushSync(function () { root.render(h(Boundary, null, h(App))); });
    } catch (e) { record(e); }
    return errors.length ? { status: 'runtime', error: errors[0] } : { status: 'ok' };
  }

  // Runs while the page is prepared, before any submission exists: renders a typical tree a few
  // times so the submission meets JIT-warm React.
  function warm() {
    var t0 = performance.now(), box = doc.createElement('div');
    for (var j = 0; j < 3; j++) {
      var r = createRoot(box);
      flushSync(function () { r.render(h('div', null, h('p', { id: 'n' }, 'Count: ', j), h('button', null, '+'))); });
      r.unmount();
    }
    return Math.round(performance.now() - t0);
  }

  var api = Object.freeze({
    warm: warm,
    run: function (code) { compiled = code; last = mount(); return last; },
    remount: function () { last = compiled == null ? { status: 'not-compiled' } : mount(); return last; },
    last: function () { return last; },
    errors: function () { return errors.slice(0, 20); }
  });
  Object.defineProperty(window, '__kubegrade', { value: api, writable: false, configurable: false, enumerable: false });
})();
