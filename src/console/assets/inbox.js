// Staff inbox (README, "Staff inbox"): keyboard shortcuts and live updates. No inline scripts (CSP).
"use strict";
(function () {
  var list = function () { return document.getElementById("inbox-list"); };
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("table.inbox tbody tr")); };
  var selected = -1;
  var changed = {};

  function select(i) {
    var all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, n) { r.classList.toggle("selected", n === selected); });
    var link = all[selected].querySelector("a.open");
    if (link) link.focus();
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) el.click();
    return el !== null;
  }
  function follow(id) {
    var el = document.getElementById(id);
    if (el) window.location.href = el.getAttribute("href");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var onItem = document.getElementById("decide") !== null || document.getElementById("item-status") !== null;
    var key = event.key;
    if (key === "?") {
      var help = document.getElementById("shortcuts");
      if (help) { help.classList.toggle("hidden"); help.scrollIntoView(); }
      else window.alert("j / k: next / previous item · a: accept · e: edit · i: ignore · Enter or o: open · x: select · ?: help");
    } else if (onItem) {
      if (key === "j") follow("next-item");
      else if (key === "k") follow("prev-item");
      else if (key === "a") { if (document.getElementById("do-accept") && window.confirm("Accept this draft?")) click("do-accept"); }
      else if (key === "e") { var f = document.querySelector("[data-edit]"); if (f) f.focus(); else return; }
      else if (key === "i") { if (!click("do-ignore")) return; }
      else return;
    } else {
      var all = rows();
      if (key === "j") select(selected + 1);
      else if (key === "k") select(selected < 0 ? 0 : selected - 1);
      else if ((key === "Enter" || key === "o") && selected >= 0 && all[selected]) window.location.href = all[selected].getAttribute("data-href");
      else if (key === "x" && selected >= 0 && all[selected]) { var box = all[selected].querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
      else if ((key === "a" || key === "e" || key === "i") && selected >= 0 && all[selected]) window.location.href = all[selected].getAttribute("data-href");
      else return;
    }
    event.preventDefault();
  });

  // Live updates: the server says what changed; the list (rows, counts, pages) is fetched again.
  var live = document.getElementById("inbox-live");
  if (live && typeof window.EventSource === "function") {
    var source = new EventSource(live.getAttribute("data-events"));
    source.addEventListener("open", function () { live.textContent = "Live updates: on"; });
    source.addEventListener("error", function () { live.textContent = "Live updates: reconnecting…"; });
    source.addEventListener("inbox", function (event) {
      var data = JSON.parse(event.data);
      data.created.concat(data.assigned).forEach(function (id) { if (id) changed[id] = true; });
      var parts = [];
      if (data.created.length > 0) parts.push(data.created.length + " new");
      if (data.decided.length > 0) parts.push(data.decided.length + " decided" + (data.byOthers ? " by a colleague" : ""));
      if (data.assigned.length > 0) parts.push(data.assigned.length + " reassigned");
      live.textContent = "Live updates: on — " + parts.join(", ") + " at " + new Date().toLocaleTimeString();
      var el = list();
      if (el && window.htmx) window.htmx.trigger(el, "inbox-changed");
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      rows().forEach(function (r) { if (changed[r.getAttribute("data-id")]) r.classList.add("changed"); });
      selected = -1;
      live.setAttribute("data-refreshed", String(Date.now()));
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }
})();
