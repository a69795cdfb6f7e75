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
      window.Plotly.react(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { draw(ev.target); });
})();
