// The overview's live updates: the hub sends every site's numbers, already
// written in the page's language, when they change (server-sent events).
"use strict";
(function () {
  var table = document.getElementById("overview");
  var state = document.getElementById("live-state");
  if (!table || !window.EventSource) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "zh";
  var es = new EventSource("/live?lang=" + lang);
  es.addEventListener("open", function () { state.className = "live-state on"; state.title = ""; });
  es.addEventListener("error", function () {
    state.className = "live-state off";
    state.title = state.getAttribute("data-off");
  });
  es.addEventListener("sites", function (ev) {
    var sites = JSON.parse(ev.data);
    var rows = table.querySelectorAll("tbody tr[data-site]");
    for (var i = 0; i < rows.length; i++) {
      var s = sites[rows[i].getAttribute("data-site")];
      if (!s) { continue; }
      var cells = rows[i].querySelectorAll("td[data-k]");
      for (var j = 0; j < cells.length; j++) {
        var c = s[cells[j].getAttribute("data-k")];
        if (!c) { continue; }
        var span = cells[j].firstElementChild;
        if (span.textContent !== c.t) {
          span.textContent = c.t;
        }
        span.classList.toggle("incomplete", !!c.i);
        span.classList.toggle("nodata", !!c.n);
      }
    }
    // A site that appeared or went needs the page itself, and so does a
    // page drawn while the hub was still counting (just after a start):
    // once every number is in, the rows' order is right too.
    var counting = false;
    for (var k in sites) {
      for (var c in sites[k]) { if (sites[k][c].p) { counting = true; } }
    }
    if (Object.keys(sites).length !== rows.length || (table.hasAttribute("data-pending") && !counting)) {
      window.location.reload();
    }
  });
}());
