// kubegrade inspector: evaluated in a CDP isolated world of the harness page. It shares the page's
// DOM but not its JavaScript: built-ins and DOM prototypes here are pristine, so nothing the
// submission overrides can change what the grader sees. All waiting happens here, in one call.
(function () {
  'use strict';
  var POLL_MS = 10;

  function norm(s) { return String(s == null ? '' : s).replace(/[\s\u00a0]+/g, ' ').trim(); }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function heap() { try { return performance.memory.usedJSHeapSize; } catch (e) { return null; } }

  var IMPLICIT = [
    ['button', 'button, input[type=button], input[type=submit], input[type=reset], input[type=image], summary'],
    ['link', 'a[href], area[href]'],
    ['textbox', 'input:not([type]), input[type=text], input[type=email], input[type=tel], input[type=url], textarea'],
    ['searchbox', 'input[type=search]'],
    ['spinbutton', 'input[type=number]'],
    ['slider', 'input[type=range]'],
    ['checkbox', 'input[type=checkbox]'],
    ['radio', 'input[type=radio]'],
    ['combobox', 'select:not([multiple]):not([size]), select[size="0"], select[size="1"]'],
    ['listbox', 'select[multiple], select[size]:not([size="0"]):not([size="1"])'],
    ['option', 'option'],
    ['heading', 'h1, h2, h3, h4, h5, h6'],
    ['list', 'ul, ol'],
    ['listitem', 'li'],
    ['img', 'img:not([alt=""])'],
    ['paragraph', 'p'],
    ['form', 'form'],
    ['navigation', 'nav'],
    ['main', 'main'],
    ['dialog', 'dialog'],
    ['table', 'table'],
    ['row', 'tr'],
    ['cell', 'td'],
    ['columnheader', 'th'],
    ['article', 'article'],
    ['progressbar', 'progress']
  ];
  function roleOf(el) {
    var explicit = el.getAttribute('role');
    if (explicit) return explicit.trim().split(/\s+/)[0];
    for (var i = 0; i < IMPLICIT.length; i++) if (el.matches(IMPLICIT[i][1])) return IMPLICIT[i][0];
    return null;
  }
  function textOfIds(ids) {
    return norm(ids.split(/\s+/).map(function (id) {
      var n = document.getElementById(id); return n ? n.textContent : '';
    }).join(' '));
  }
  function accessibleName(el) {
    var by = el.getAttribute('aria-labelledby');
    if (by) return textOfIds(by);
    var aria = el.getAttribute('aria-label');
    if (aria && norm(aria)) return norm(aria);
    if (el.labels && el.labels.length) {
      return norm(Array.prototype.map.call(el.labels, labelText).join(' '));
    }
    if (el.matches('input[type=button], input[type=submit], input[type=reset]')) return norm(el.value);
    if (el.matches('img, input[type=image], area')) return norm(el.getAttribute('alt'));
    if (el.matches('input, textarea, select')) return norm(el.getAttribute('title') || el.getAttribute('placeholder'));
    return norm(el.textContent) || norm(el.getAttribute('title'));
  }
  // A label's own words: the text of form controls nested in it (a select's options) is not part of it.
  var CONTROLS = { BUTTON: 1, INPUT: 1, METER: 1, OUTPUT: 1, PROGRESS: 1, SELECT: 1, TEXTAREA: 1 };
  function labelText(node) {
    var s = '';
    for (var n = node.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3) s += n.data;
      else if (n.nodeType === 1 && !CONTROLS[n.tagName]) s += ' ' + labelText(n) + ' ';
    }
    return s;
  }
  function ownText(el) {
    var s = '';
    for (var n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 3) s += n.data;
    if (!norm(s) && el.matches('input[type=button], input[type=submit], input[type=reset]')) s = el.value;
    return norm(s);
  }
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  function resolveAll(t) {
    if (t.css != null) {
      try { return all(t.css); } catch (e) { throw new Error('invalid CSS selector ' + JSON.stringify(t.css)); }
    }
    if (t.role != null) {
      return all('body *').filter(function (el) {
        return roleOf(el) === t.role && (t.name == null || accessibleName(el) === norm(t.name));
      });
    }
    if (t.label != null) {
      var want = norm(t.label), found = [];
      all('label').forEach(function (l) { if (norm(labelText(l)) === want && l.control) found.push(l.control); });
      all('[aria-label], [aria-labelledby]').forEach(function (el) {
        if (accessibleName(el) === want && found.indexOf(el) < 0) found.push(el);
      });
      return found;
    }
    var text = norm(t.text);
    return all('body *').filter(function (el) {
      return el.tagName !== 'SCRIPT' && el.tagName !== 'STYLE' && ownText(el) === text;
    });
  }
  function pick(t, list) { return list[t.nth || 0] || null; }

  function visible(el) {
    if (!el.isConnected) return false;
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function sketch(el) {
    if (!el) return 'nothing';
    var s = '<' + el.tagName.toLowerCase();
    if (el.id) s += ' id="' + el.id + '"';
    if (el.className && typeof el.className === 'string') s += ' class="' + el.className + '"';
    s += '>';
    var text = norm(el.textContent);
    if (text) s += (text.length > 40 ? text.slice(0, 39) + '…' : text);
    return s;
  }
  function textOf(el) {
    if (el.matches('input, textarea, select')) return norm(el.value);
    return norm(el.innerText);
  }
  function firstNumber(t) {
    var el = t ? pick(t, resolveAll(t)) : document.body;
    if (!el) return null;
    var m = /-?\d+(?:\.\d+)?/.exec(el.innerText || '');
    return m ? parseFloat(m[0]) : null;
  }
  // Colours compare by value, so authors may write 'black', '#000' or 'rgb(0, 0, 0)': both sides go
  // through a canvas of this world's own, which is no element of the page - the page can neither
  // see the expected colour nor style how it is read. null when it is not a colour.
  var palette = null;
  function canonicalColour(value) {
    if (value == null) return null;
    palette = palette || new OffscreenCanvas(1, 1).getContext('2d');
    palette.fillStyle = '#010203'; palette.fillStyle = value; var a = palette.fillStyle;
    palette.fillStyle = '#040506'; palette.fillStyle = value; var b = palette.fillStyle;
    if (a !== b) return null;
    var hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(a);
    return hex ? 'rgb(' + parseInt(hex[1], 16) + ', ' + parseInt(hex[2], 16) + ', ' + parseInt(hex[3], 16) + ')' : a;
  }
  function matcher(spec) {
    if (spec.equalTo != null) { var e = norm(spec.equalTo); return function (v) { return v === e; }; }
    if (spec.contains != null) { var c = norm(spec.contains); return function (v) { return v != null && v.indexOf(c) >= 0; }; }
    var re = new RegExp('^(?:' + spec.matches + ')$');
    return function (v) { return v != null && re.test(v); };
  }
  function quote(v) { return v == null ? 'no value' : JSON.stringify(v); }

  function check(spec, baseline) {
    var t = spec.target, list, el;
    switch (spec.type) {
      case 'present':
        list = resolveAll(t);
        return list.length > (t.nth || 0) ? { ok: true } : { ok: false, found: 'no such element' };
      case 'absent':
        list = resolveAll(t);
        return list.length <= (t.nth || 0) ? { ok: true } : { ok: false, found: sketch(list[t.nth || 0]) + ' is in the page' };
      case 'count':
        list = resolveAll(t);
        return list.length === spec.count ? { ok: true } : { ok: false, found: list.length + ' matching' };
      case 'numberChange': {
        var now = firstNumber(t);
        if (now == null) return { ok: false, found: 'no number' + (t ? ' in the target' : ' on the page') };
        if (baseline == null) return { ok: false, found: 'no number was there when the test began (now ' + now + ')' };
        var delta = Math.round((now - baseline) * 1e9) / 1e9;
        return delta === spec.by ? { ok: true } : { ok: false, found: 'a change of ' + delta + ' (from ' + baseline + ' to ' + now + ')' };
      }
      case 'script': {
        var v = new Function('return (' + spec.script + '\n)')();
        return v ? { ok: true } : { ok: false, found: quote(v === undefined ? 'undefined' : v) };
      }
    }
    el = pick(t, resolveAll(t));
    if (!el) return { ok: false, found: 'no such element' };
    var value;
    if (spec.type === 'text') value = textOf(el);
    else if (spec.type === 'attribute') value = el.getAttribute(spec.name);
    else if (spec.type === 'property') { var p = el[spec.name]; value = p == null ? null : String(p); }
    else if (spec.type === 'style') value = getComputedStyle(el).getPropertyValue(spec.name).trim();
    if (spec.type === 'style' && /colou?r/.test(spec.name) && spec.equalTo != null) {
      var want = canonicalColour(spec.equalTo), have = canonicalColour(value);
      if (want != null && have != null) return want === have ? { ok: true } : { ok: false, found: quote(value) };
    }
    return matcher(spec)(value == null ? null : (spec.type === 'text' ? value : String(value)))
      ? { ok: true } : { ok: false, found: quote(value) };
  }

  async function poll(fn, timeoutMs) {
    var deadline = performance.now() + timeoutMs, r;
    for (;;) {
      try { r = fn(); } catch (e) { r = { ok: false, error: String(e && e.message || e) }; }
      if (r.ok || r.error || performance.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    r.heap = heap();
    return r;
  }

  function clickable(t, needEnabled) {
    var list = resolveAll(t), el = pick(t, list);
    if (!el) return { ok: false, found: 'no such element' };
    if (!visible(el)) return { ok: false, found: sketch(el) + ', which is not visible' };
    if (needEnabled && el.disabled) return { ok: false, found: sketch(el) + ', which is disabled' };
    var r = el.getBoundingClientRect();
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
      el.scrollIntoView({ block: 'center', inline: 'center' });
      r = el.getBoundingClientRect();
    }
    var x = Math.round(r.left + Math.min(r.width / 2, r.width - 1)), y = Math.round(r.top + Math.min(r.height / 2, r.height - 1));
    var hit = document.elementFromPoint(x, y);
    if (hit !== el && !el.contains(hit) && !(hit && hit.control === el)) {
      return { ok: false, found: sketch(el) + ', which is covered by ' + sketch(hit) };
    }
    return { ok: true, x: x, y: y, tag: el.tagName.toLowerCase(), type: el.type || null,
      checked: typeof el.checked === 'boolean' ? el.checked : null, el: el };
  }
  function strip(r) { if (r.el) delete r.el; return r; }

  globalThis.kubegradeInspector = {
    expect: function (spec, timeoutMs, baseline) { return poll(function () { return check(spec, baseline); }, timeoutMs); },
    // Expectations met since the last action must stay met, without a break, for holdMs: a state
    // glimpsed in passing (a number cycling on a timer) is not the state the test asked for.
    holds: async function (specs, baselines, holdMs) {
      var start = performance.now(), end = start + holdMs, r, i, now;
      for (;;) {
        for (i = 0; i < specs.length; i++) {
          try { r = check(specs[i], baselines[i]); } catch (e) { r = { ok: false, error: String(e && e.message || e) }; }
          if (!r.ok) { r.index = i; r.heldMs = Math.round(performance.now() - start); r.heap = heap(); return r; }
        }
        now = performance.now();
        if (now >= end) return { ok: true, heap: heap() };
        await sleep(Math.min(POLL_MS, end - now));
      }
    },
    locate: function (t, timeoutMs, needEnabled) {
      return poll(function () { return strip(clickable(t, needEnabled)); }, timeoutMs);
    },
    focus: function (t, timeoutMs) {
      return poll(function () {
        var r = clickable(t, true);
        if (r.ok) { r.el.focus(); if (document.activeElement !== r.el) return { ok: false, found: sketch(r.el) + ', which cannot take focus' }; }
        return strip(r);
      }, timeoutMs);
    },
    // How many ArrowDown/ArrowUp presses move a focused <select> to the option with this text.
    selectKeys: function (t, option, timeoutMs) {
      return poll(function () {
        var r = clickable(t, true);
        if (!r.ok) return r;
        var el = r.el;
        if (el.tagName !== 'SELECT') return { ok: false, found: sketch(el) + ', which is not a <select>' };
        var opts = Array.prototype.slice.call(el.options), want = norm(option), target = -1;
        for (var i = 0; i < opts.length; i++) if (norm(opts[i].text) === want) { target = i; break; }
        if (target < 0) return { ok: false, found: 'options ' + JSON.stringify(opts.map(function (o) { return norm(o.text); })) };
        if (opts[target].disabled) return { ok: false, found: 'the option "' + want + '" is disabled' };
        var from = el.selectedIndex, step = target >= from ? 1 : -1, presses = 0;
        for (var j = from + step; step > 0 ? j <= target : j >= target; j += step) if (!opts[j].disabled) presses++;
        el.focus();
        return { ok: true, presses: presses, down: step > 0 };
      }, timeoutMs);
    },
    // A viewport point outside the element, for moving the pointer away.
    awayFrom: function (t) {
      var el = pick(t, resolveAll(t));
      var points = [[1, 1], [innerWidth - 2, innerHeight - 2], [innerWidth - 2, 1], [1, innerHeight - 2]];
      for (var i = 0; i < points.length; i++) {
        var hit = document.elementFromPoint(points[i][0], points[i][1]);
        if (!el || !hit || (hit !== el && !el.contains(hit))) return { ok: true, x: points[i][0], y: points[i][1], heap: heap() };
      }
      return { ok: false, found: 'the element covers the whole page' };
    },
    numbers: function (targets) {
      return { ok: true, heap: heap(), values: targets.map(function (t) {
        return firstNumber(t && (t.css != null || t.role != null || t.label != null || t.text != null) ? t : null);
      }) };
    },
    location: function () { return String(location.href); }
  };
})();
