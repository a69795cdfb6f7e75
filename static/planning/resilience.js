// Charts of the resilience pages (plotly.js served from the plotly package, no CDN).
// Data comes from json_script elements: "resilience-mc" (fan charts, trigger probabilities) and
// "resilience-comparison" (ranked bar chart). German number format via plotly's separators.
"use strict";
(function () {
  const SEP = document.documentElement.lang === "en" ? ".," : ",.";
  const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const BLUE = "31, 95, 160";
  // Triggers are all bad news: warm colours and neutral ones, never green (which reads as "good").
  const TRIGGER_COLORS = ["#d35400", "#8e44ad", "#1f5f99", "#b7950b", "#6d4c41"];
  const RED = "rgb(180, 40, 40)";

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

  function yearAxis(el, list) {
    return { dtick: Spielraum.yearStep(el, list.length), tickformat: "d", tickangle: 0 };
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
    const values = [].concat(q[0], q[4]);
    Plotly.newPlot(el, traces, layout(title, {
      margin: { l: 20, r: 20, t: 40, b: 40 },
      xaxis: yearAxis(el, years),
      yaxis: Object.assign({ zeroline: true, automargin: true }, Spielraum.moneyTicks(values, " €")),
    }), CONFIG);
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
      const traces = Object.keys(mc.trigger_probability).map(function (name, k) {
        return { x: mc.years, y: mc.trigger_probability[name], type: "bar", name: name, hovertemplate: "%{y:.0%}",
          marker: { color: TRIGGER_COLORS[k % TRIGGER_COLORS.length] } };
      });
      traces.push({ x: mc.years, y: mc.any_cumulative, mode: "lines+markers", name: L.cumulative,
        line: { color: RED, width: 2 }, hovertemplate: "%{y:.0%}" });
      Plotly.newPlot(t, traces, layout(L.probability, {
        barmode: "group", yaxis: { tickformat: ".0%", range: [0, 1], dtick: 0.2 }, xaxis: yearAxis(t, mc.years),
      }), CONFIG);
    }
  }

  function comparison() {
    const c = data("resilience-comparison");
    const el = document.getElementById("chart-comparison");
    if (!c || !el) { return; }
    // the own municipality stands out in the dark accent, the others in grey: red would say "bad"
    const colors = c.current.map(function (cur) { return cur ? "#13324f" : "#9aa5b4"; });
    Plotly.newPlot(el, [{
      type: "bar", orientation: "h", x: c.values.slice().reverse(), y: c.names.slice().reverse(),
      marker: { color: colors.slice().reverse() }, hovertemplate: "%{x:,.1f}<extra></extra>",
    }], layout(c.title, {
      hovermode: "closest", xaxis: { tickformat: ",.2~f" }, yaxis: { automargin: true },
      height: Math.max(260, 40 * c.names.length + 100),
    }), CONFIG);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Plotly === "undefined") { return; }
    montecarlo();
    comparison();
  });
})();
