// Charts of the resilience pages (plotly.js served from the plotly package, no CDN).
// Data comes from json_script elements: "resilience-mc" (fan charts, trigger probabilities) and
// "resilience-comparison" (ranked bar chart). German number format via plotly's separators.
"use strict";
(function () {
  const SEP = document.documentElement.lang === "en" ? ".," : ",.";
  const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const BLUE = "31, 95, 160";

  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function layout(title, extra) {
    return Object.assign({
      title: { text: title, font: { size: 15 } },
      separators: SEP,
      margin: { l: 80, r: 20, t: 40, b: 40 },
      hovermode: "x unified",
      legend: { orientation: "h", y: -0.15 },
      xaxis: { dtick: 1, tickformat: "d" },
      yaxis: { tickformat: ",.0f", ticksuffix: " €", zeroline: true },
    }, extra || {});
  }

  function fan(el, years, q, title, labels) {
    // q: quantile rows for 10/25/50/75/90 %
    const band = function (lo, hi, name, alpha) {
      return [
        { x: years, y: lo, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
        { x: years, y: hi, mode: "lines", line: { width: 0 }, fill: "tonexty",
          fillcolor: "rgba(" + BLUE + "," + alpha + ")", name: name, hoverinfo: "skip" },
      ];
    };
    const traces = band(q[0], q[4], labels.band_outer, 0.18)
      .concat(band(q[1], q[3], labels.band_inner, 0.35))
      .concat([{ x: years, y: q[2], mode: "lines+markers", name: labels.median,
        line: { color: "rgb(" + BLUE + ")", width: 2 }, hovertemplate: "%{y:,.0f} €" }]);
    Plotly.newPlot(el, traces, layout(title), CONFIG);
  }

  function montecarlo() {
    const mc = data("resilience-mc");
    if (!mc) { return; }
    const L = mc.labels;
    const r = document.getElementById("chart-result");
    const e = document.getElementById("chart-equity");
    const t = document.getElementById("chart-triggers");
    if (r) { fan(r, mc.years, mc.result_quantiles, L.result, L); }
    if (e) { fan(e, mc.years, mc.equity_quantiles, L.equity, L); }
    if (t) {
      const traces = Object.keys(mc.trigger_probability).map(function (name) {
        return { x: mc.years, y: mc.trigger_probability[name], type: "bar", name: name, hovertemplate: "%{y:.0%}" };
      });
      traces.push({ x: mc.years, y: mc.any_cumulative, mode: "lines+markers", name: L.cumulative,
        line: { color: "rgb(180, 40, 40)", width: 2 }, hovertemplate: "%{y:.0%}" });
      Plotly.newPlot(t, traces, layout(L.probability, {
        barmode: "group", yaxis: { tickformat: ".0%", range: [0, 1] },
      }), CONFIG);
    }
  }

  function comparison() {
    const c = data("resilience-comparison");
    const el = document.getElementById("chart-comparison");
    if (!c || !el) { return; }
    const colors = c.current.map(function (cur) { return cur ? "rgb(180, 40, 40)" : "rgb(" + BLUE + ")"; });
    Plotly.newPlot(el, [{
      type: "bar", orientation: "h", x: c.values.slice().reverse(), y: c.names.slice().reverse(),
      marker: { color: colors.slice().reverse() }, hovertemplate: "%{x:,.1f}<extra></extra>",
    }], layout(c.title, {
      hovermode: "closest", xaxis: { tickformat: ",.1f" }, yaxis: { automargin: true },
      height: Math.max(260, 40 * c.names.length + 100),
    }), CONFIG);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Plotly === "undefined") { return; }
    montecarlo();
    comparison();
  });
})();
