// Budget explorer: draws the server-built plotly figures (JSON in <script type="application/json">)
// into their [data-chart] containers, on load and after every htmx swap of the drill-down table.
"use strict";
(function () {
  function draw(root) {
    if (!window.Plotly) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      const source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      const figure = JSON.parse(source.textContent);
      narrow(el, figure);
      window.Plotly.react(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
    });
  }
  // A bar chart lying on its side on a phone: the names took two thirds of the width and the amount axis
  // turned its labels on end. The axis shows the names shortened (the bars, hover and table keep them
  // whole) and three or four round amounts.
  function narrow(el, figure) {
    const bars = (figure.data || []).filter(function (t) { return t.type === "bar" && t.orientation === "h"; });
    if (!bars.length || el.clientWidth >= 600 || !window.Spielraum || !Spielraum.moneyTicks) { return; }
    const names = bars[0].y || [];
    const short = function (n) { n = String(n); return n.length > 18 ? n.slice(0, 17) + "…" : n; };
    const layout = figure.layout = figure.layout || {};
    layout.yaxis = Object.assign({}, layout.yaxis, { tickmode: "array", tickvals: names, ticktext: names.map(short) });
    const values = [].concat.apply([], bars.map(function (t) { return t.x || []; }));
    layout.xaxis = Object.assign({}, layout.xaxis, Spielraum.moneyTicks(values, " €", 3), { tickangle: 0 });
    layout.margin = Object.assign({}, layout.margin, { l: 10, r: 10 });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { draw(ev.target); });
})();
