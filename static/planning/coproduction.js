// Chart of the coproduction comparison: net burden of each model per year against providing the
// service alone (plotly.js from the installed package; data from the json_script "coproduction-data").
"use strict";
(function () {
  function draw() {
    const el = document.querySelector("[data-chart='coproduction']");
    const src = document.getElementById("coproduction-data");
    if (!el || !src || typeof Plotly === "undefined") return;
    const data = JSON.parse(src.textContent);
    const german = document.documentElement.lang !== "en";
    const traces = data.series.map(function (s) {
      return { type: "bar", name: s.name, x: data.years, y: s.net_burden };
    });
    traces.push({
      type: "scatter", mode: "lines", name: german ? "Kosten in Eigenregie" : "Cost of own provision",
      x: data.years, y: data.baseline, line: { dash: "dot", color: "#555" },
    });
    Plotly.newPlot(el, traces, {
      separators: german ? ",." : ".,",
      barmode: "group",
      margin: { l: 80, r: 20, t: 20, b: 50 },
      legend: { orientation: "h", y: -0.2 },
      yaxis: { title: german ? "Nettobelastung (EUR)" : "Net burden (EUR)", tickformat: ",.0f" },
      xaxis: { tickformat: "d" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    }, { responsive: true, displaylogo: false });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
