// The studio's two scripts (no inline script: the CSP forbids them).
//
// 1. As the staff member types, the page's form is sent (not saved) to
//    the draft's check endpoint, which runs the content validator on it,
//    the same one wufang-pack validate runs; the problems are put next to
//    their fields. There is no second validator here.
// 2. On a hotspot step, rectangles are dragged on the picture and stored
//    as the fractions of its width and height the format uses, in the
//    x, y, w, h fields of the target or decoy chosen.
(function () {
  'use strict';
  var form = document.getElementById('studio-form');
  if (!form) { return; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.content : '';
  var file = form.dataset.file;
  var scope = form.dataset.scope || '';
  var state = document.getElementById('live-check');
  var timer = null;
  var seq = 0;

  function onPage(key) {
    if (scope === 'module') { return key.indexOf('steps[') !== 0; }
    if (scope) { return key === scope || key.indexOf(scope + '.') === 0 || key.indexOf(scope + '[') === 0; }
    return true;
  }

  // parent drops the last part of a key: a.b[2].c -> a.b[2] -> a.b -> a.
  function parent(key) {
    var i = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    return i > 0 ? key.slice(0, i) : '';
  }

  function liveOf(el) {
    for (var i = 0; i < el.children.length; i++) {
      if (el.children[i].classList.contains('live')) { return el.children[i]; }
    }
    return null;
  }

  function say(where, p) {
    var line = document.createElement('p');
    line.className = 'problem ' + p.severity;
    line.textContent = (where.id === 'live-left' && p.key ? p.key + ': ' : '') + p.msg;
    where.appendChild(line);
  }

  function show(res) {
    var lives = form.querySelectorAll('.live');
    for (var i = 0; i < lives.length; i++) { lives[i].textContent = ''; }
    var left = document.getElementById('live-left');
    left.textContent = '';
    var server = document.getElementById('left-problems');
    if (server) { server.hidden = true; }
    res.problems.forEach(function (p) {
      if (p.file !== file || !onPage(p.key)) { return; }
      for (var key = p.key; key; key = parent(key)) {
        var el = form.querySelector('[data-key="' + CSS.escape(key) + '"]');
        var live = el && liveOf(el);
        if (live) { say(live, p); return; }
      }
      say(left, p);
    });
    (res.unusable || []).forEach(function (msg) { say(left, {severity: 'error', key: '', msg: msg}); });
    var ne = document.getElementById('n-errors');
    ne.firstChild.textContent = String(res.errors);
    ne.className = res.errors ? 'bad' : 'ok';
    document.getElementById('n-warnings').firstChild.textContent = String(res.warnings);
    state.textContent = state.dataset.done;
    state.className = 'live-state on';
  }

  function check() {
    var mine = ++seq;
    var data = new URLSearchParams(new FormData(form));
    data.delete('op');
    fetch(form.dataset.check, {method: 'POST', body: data, credentials: 'same-origin', headers: {'X-CSRF-Token': token}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
      .then(function (res) { if (mine === seq) { show(res); } })
      .catch(function () {
        state.textContent = state.dataset.failed;
        state.className = 'live-state off';
      });
  }

  function schedule() {
    state.textContent = state.dataset.checking;
    state.className = 'live-state';
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);

  // The hotspot editor.
  var editor = document.getElementById('hotspot-editor');
  if (!editor) { return; }
  var img = editor.querySelector('img');
  var pick = document.getElementById('hs-region');
  var coord = /\|(steps\[\d+\]\.(targets|decoys)\[\d+\])\.x$/;
  var regions = [];
  var inputs = form.querySelectorAll('input[data-coord]');
  for (var i = 0; i < inputs.length; i++) {
    var m = coord.exec(inputs[i].name);
    if (!m) { continue; }
    var pre = inputs[i].name.slice(0, -2);
    var idEl = form.querySelector('input[name="' + CSS.escape(pre + '.id') + '"]');
    regions.push({key: m[1], decoy: m[2] === 'decoys', pre: pre, id: idEl});
  }
  regions.forEach(function (r, n) {
    var o = document.createElement('option');
    o.value = String(n);
    o.textContent = (r.decoy ? '○ ' : '● ') + (r.id && r.id.value ? r.id.value : r.key);
    pick.appendChild(o);
  });

  function field(r, c) { return form.querySelector('input[name="' + CSS.escape(r.pre + '.' + c) + '"]'); }
  function num(r, c) { var f = field(r, c); var v = f ? parseFloat(f.value) : NaN; return isNaN(v) ? 0 : v; }

  function draw() {
    var old = editor.querySelectorAll('.rect');
    for (var i = 0; i < old.length; i++) { old[i].remove(); }
    regions.forEach(function (r, n) {
      var d = document.createElement('div');
      d.className = 'rect' + (r.decoy ? ' decoy' : '') + (String(n) === pick.value ? ' active' : '');
      d.dataset.region = r.key;
      d.style.left = (num(r, 'x') * 100) + '%';
      d.style.top = (num(r, 'y') * 100) + '%';
      d.style.width = (num(r, 'w') * 100) + '%';
      d.style.height = (num(r, 'h') * 100) + '%';
      var label = document.createElement('span');
      label.textContent = r.id && r.id.value ? r.id.value : r.key;
      d.appendChild(label);
      editor.appendChild(d);
    });
  }

  var start = null;
  var ghost = null;
  function at(ev) {
    var b = img.getBoundingClientRect();
    return {x: Math.min(1, Math.max(0, (ev.clientX - b.left) / b.width)), y: Math.min(1, Math.max(0, (ev.clientY - b.top) / b.height))};
  }
  function round(v) { return Math.round(v * 1000) / 1000; }
  editor.addEventListener('pointerdown', function (ev) {
    if (!regions.length) { return; }
    ev.preventDefault();
    editor.setPointerCapture(ev.pointerId);
    start = at(ev);
    ghost = document.createElement('div');
    ghost.className = 'rect active';
    editor.appendChild(ghost);
  });
  editor.addEventListener('pointermove', function (ev) {
    if (!start) { return; }
    var p = at(ev);
    ghost.style.left = (Math.min(start.x, p.x) * 100) + '%';
    ghost.style.top = (Math.min(start.y, p.y) * 100) + '%';
    ghost.style.width = (Math.abs(p.x - start.x) * 100) + '%';
    ghost.style.height = (Math.abs(p.y - start.y) * 100) + '%';
  });
  editor.addEventListener('pointerup', function (ev) {
    if (!start) { return; }
    var p = at(ev);
    var r = regions[parseInt(pick.value, 10)];
    var box = {x: round(Math.min(start.x, p.x)), y: round(Math.min(start.y, p.y)), w: round(Math.abs(p.x - start.x)), h: round(Math.abs(p.y - start.y))};
    start = null;
    ghost.remove();
    if (box.w < 0.01 || box.h < 0.01) { draw(); return; } // a tap, not a drag
    ['x', 'y', 'w', 'h'].forEach(function (c) {
      var f = field(r, c);
      if (f) { f.value = String(box[c]); }
    });
    draw();
    schedule();
  });
  pick.addEventListener('change', draw);
  form.addEventListener('input', draw);
  draw();
}());
