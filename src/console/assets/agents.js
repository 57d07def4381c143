// The agent record's weekly trend charts (uPlot), from the JSON block the page carries (no inline script).
"use strict";
(function () {
  var block = document.getElementById("agent-trends");
  if (block === null || typeof window.uPlot !== "function") return;
  var charts = JSON.parse(block.textContent || "[]");
  var SERIES = [
    ["decisions", "Decisions", "#0b4f8a"],
    ["acceptedWithoutEdit", "Accepted without edit", "#116329"],
    ["edited", "Edited", "#7d4e00"],
    ["ignored", "Ignored", "#a40e26"],
    ["overrides", "Overrides", "#6639ba"],
    ["executedAutomatically", "Executed automatically", "#1b7c83"],
  ];
  charts.forEach(function (chart) {
    var target = document.getElementById(chart.id);
    if (target === null || chart.weeks.length === 0) return;
    var xs = chart.weeks.map(function (w) { return Date.parse(w + "T00:00:00Z") / 1000; });
    var data = [xs].concat(SERIES.map(function (s) { return chart.series[s[0]]; }));
    var width = Math.max(320, Math.min(target.clientWidth || 800, 1100));
    new window.uPlot({
      width: width,
      height: 240,
      scales: { x: { time: true } },
      series: [{ label: "Week" }].concat(SERIES.map(function (s) { return { label: s[1], stroke: s[2], width: 2, points: { show: true } }; })),
      axes: [{}, { label: "Outcomes" }],
    }, data, target);
    target.setAttribute("data-rendered", "true");
  });
})();
