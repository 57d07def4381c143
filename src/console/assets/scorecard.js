// The leadership scorecard's charts (uPlot), drawn from the page's JSON block (#scorecard-data):
// no inline script (the CSP forbids it). Each chart has a table of the same figures on the page.
"use strict";
(function () {
  var block = document.getElementById("scorecard-data");
  if (block === null || typeof window.uPlot !== "function") return;
  var data = JSON.parse(block.textContent || "{}");
  // Bucket starts as Unix seconds (UTC midnight), the x axis uPlot expects.
  var x = data.x.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
  // Colours readable on white and told apart without colour by their markers' shapes in the legend order.
  var palette = ["#0b4f8a", "#a40e26", "#116329", "#7d4e00", "#6639ba", "#1b7c83", "#545d68", "#bc4c00"];
  var dayMs = 86400;
  var drawn = [];

  function width(el) { return Math.max(320, el.clientWidth || 640); }

  function axes(percent) {
    return [
      { values: function (u, splits) { return splits.map(function (s) { return new Date(s * 1000).toISOString().slice(5, 10); }); } },
      { values: function (u, splits) { return splits.map(function (s) { return percent ? s + " %" : String(s); }); }, size: 60 },
    ];
  }

  function draw(id, series, values, options) {
    var el = document.getElementById(id + "-chart");
    if (el === null) return;
    var opts = {
      width: width(el),
      height: 240,
      scales: { x: { time: true, range: function () { return [x[0] - dayMs / 2, x[x.length - 1] + dayMs / 2 + (data.bucket === "week" ? 6 * dayMs : 0)]; } },
        y: options.percent ? { range: [0, 100] } : { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: axes(options.percent),
      series: [{ label: data.bucket === "week" ? "Week of" : "Day", value: function (u, v) { return v === null ? "—" : new Date(v * 1000).toISOString().slice(0, 10); } }].concat(series),
      legend: { live: true },
    };
    var chart = new window.uPlot(opts, [x].concat(values), el);
    el.setAttribute("data-drawn", "true");
    drawn.push({ el: el, chart: chart });
  }

  function rate(id, label, values) {
    draw(id, [{ label: label, stroke: palette[0], width: 2, spanGaps: false, points: { show: true, size: 6 },
      value: function (u, v) { return v === null ? "—" : v.toFixed(1) + " %"; } }], [values], { percent: true });
  }

  rate("authorization", "Authorized at time of service", data.authorization);
  rate("automation", "Automated", data.automation);
  rate("flagged", "Flagged ≥ 2 days ahead", data.flagged);
  if (data.exceptions.length > 0) {
    draw("exceptions", data.exceptions.map(function (e, i) {
      return { label: e.reason, stroke: palette[i % palette.length], width: 2, points: { show: true, size: 5 } };
    }), data.exceptions.map(function (e) { return e.values; }), { percent: false });
  }
  var bars = window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
  draw("estimates", [{ label: "Estimates produced", stroke: palette[0], fill: "rgba(11, 79, 138, 0.35)", width: 1, paths: bars, points: { show: false } }], [data.estimates], { percent: false });

  window.addEventListener("resize", function () {
    drawn.forEach(function (d) { d.chart.setSize({ width: width(d.el), height: 240 }); });
  });
})();
