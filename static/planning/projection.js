// Charts of the projection pages (plotly.js from the installed package). Data come from json_script
// elements; the switches (absolute / per inhabitant, nominal / real, expense / revenue) only re-scale.
"use strict";
(function () {
  const COLORS = ["#1f5f99", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b",
    "#2c3e50", "#e84393", "#00838f", "#6d4c41", "#5d6d7e", "#9b59b6", "#27ae60", "#e67e22", "#34495e"];
  const LAYOUT = {
    separators: ",.",
    margin: { l: 70, r: 70, t: 20, b: 50 },
    legend: { orientation: "h", y: -0.18 },
    font: { family: "system-ui, sans-serif", size: 12 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    hovermode: "x unified",
  };
  const CONFIG = { responsive: true, displaylogo: false };

  function read(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function controls(root) {
    const get = (name, fallback) => {
      const el = root.querySelector("[data-chart-" + name + "]");
      return el ? el.value : fallback;
    };
    return { mode: get("mode", "absolute"), price: get("price", "nominal"), direction: get("direction", "expense") };
  }

  // value / population (per inhabitant) and / price index (real, prices of the base year)
  function scale(values, population, priceIndex, opts) {
    return values.map((v, i) => {
      if (v === null || v === undefined) return null;
      let x = v;
      if (opts.mode === "per_capita") x = population[i] ? x / population[i] : null;
      else x = x / 1e6;  // absolute amounts in millions: round axis ticks (50, 100, ...) instead of 58.781.336
      if (x !== null && opts.price === "real") x = priceIndex[i] ? x / priceIndex[i] : null;
      return x;
    });
  }

  function unit(labels, opts) {
    const base = opts.mode === "per_capita" ? labels.eur_per_inhabitant : (labels.eur_million || labels.eur);
    return base + " (" + (opts.price === "real" ? labels.real : labels.nominal) + ")";
  }

  // Hover: millions with one decimal, per inhabitant in whole euros.
  function hover(opts, name) {
    return (opts.mode === "per_capita" ? "%{y:,.0f}" : "%{y:,.1f}") + "<extra>" + name + "</extra>";
  }

  // Scenario colours by outcome, never by list position: the best blue, the worst red, the others in
  // between (no green, which reads as "good"). Best = the largest sum of balances over the horizon (what
  // the budget gains or loses in all), then the better final balance (scenarios that differ in the middle
  // years only end alike).
  const RANKED = ["#1f5f99", "#6a8fc0", "#8e44ad", "#d35400", "#b3261e"];
  function rankedColors(scenarios) {
    const known = (s) => (s.balance || []).filter((v) => v !== null && v !== undefined);
    const total = (s) => known(s).reduce((a, v) => a + v, 0);
    const last = (s) => { const b = known(s); return b.length ? b[b.length - 1] : -Infinity; };
    const better = (a, b) => (total(b) - total(a)) || (last(b) - last(a));
    const order = scenarios.map((s, k) => k).sort((a, b) => better(scenarios[a], scenarios[b]));
    const colors = [];
    order.forEach((k, rank) => {
      const pos = order.length === 1 ? 0 : Math.round(rank * (RANKED.length - 1) / (order.length - 1));
      colors[k] = RANKED[pos];
    });
    return colors;
  }

  function drawScenario(root, data) {
    const opts = controls(root);
    const L = data.labels;
    const traces = data.areas.map((area, k) => ({
      type: "scatter", mode: "lines", stackgroup: "areas", name: area.name, x: data.years,
      y: scale(area[opts.direction], data.population, data.price_index, opts),
      line: { width: 0.5, color: COLORS[k % COLORS.length] },
      hovertemplate: hover(opts, area.name),
    }));
    traces.push({
      type: "scatter", mode: "lines+markers", name: L.balance, x: data.years, yaxis: "y2",
      y: scale(data.balance, data.population, data.price_index, opts),
      line: { color: "#111", width: 3 }, hovertemplate: hover(opts, L.balance),
    });
    const layout = Object.assign({}, LAYOUT, {
      yaxis: { title: { text: (opts.direction === "expense" ? L.expense : L.revenue) + ", " + unit(L, opts) }, tickformat: ",~r", nticks: 7, automargin: true },
      yaxis2: { title: { text: L.balance + ", " + unit(L, opts) }, overlaying: "y", side: "right", tickmode: "auto", tickformat: ",~r", nticks: 7, zeroline: true, showgrid: false, automargin: true },
      xaxis: { dtick: Spielraum.yearStep(root.querySelector("[data-chart]"), data.years.length) },
    });
    narrow(root.querySelector("[data-chart]"), layout, traces.length);
    Plotly.react(root.querySelector("[data-chart]"), traces, layout, CONFIG);
  }

  // On a phone the legend (one line per product area) would squeeze the plot to a strip: the chart grows
  // by the legend's height instead, and the axis titles get a smaller font.
  function narrow(el, layout, entries) {
    if (el.clientWidth >= 600) return;
    layout.height = 340 + 21 * entries;
    layout.margin = { l: 50, r: 50, t: 20, b: 40 };
    layout.legend = { orientation: "h", y: -0.05, yanchor: "top" };
    [layout.yaxis, layout.yaxis2].forEach((axis) => { if (axis && axis.title) axis.title.font = { size: 10 }; });
  }

  function drawComparison(root, data) {
    const opts = controls(root);
    const L = data.labels;
    const traces = [];
    const first = data.scenarios[0];
    const colors = rankedColors(data.scenarios);
    data.scenarios.forEach((s, k) => {
      traces.push({
        type: "scatter", mode: "lines+markers", name: L.balance + " " + s.name, x: data.years,
        y: scale(s.balance, s.population, s.price_index, opts), line: { color: colors[k], width: 3 },
        hovertemplate: hover(opts, s.name),
      });
      if (k > 0) {
        traces.push({
          type: "bar", name: L.difference + " " + first.name + ": " + s.name, x: data.years,
          y: scale(s.delta, s.population, s.price_index, opts), marker: { color: colors[k], opacity: 0.45 },
          hovertemplate: hover(opts, L.difference + " " + first.name),
        });
      }
    });
    const layout = Object.assign({}, LAYOUT, {
      // balances and differences share one axis: the same unit, so the same scale
      yaxis: { title: { text: L.balance + ", " + unit(L, opts) }, tickformat: ",~r", nticks: 7, zeroline: true, automargin: true },
      xaxis: { dtick: Spielraum.yearStep(root.querySelector("[data-chart]"), data.years.length) }, barmode: "group",
    });
    narrow(root.querySelector("[data-chart]"), layout, traces.length);
    Plotly.react(root.querySelector("[data-chart]"), traces, layout, CONFIG);
  }

  function drawPopulation(root, data) {
    const traces = data.series.map((s, k) => ({
      type: "scatter", mode: s.kind === "actual" ? "lines+markers" : "lines", name: s.label, x: s.years, y: s.totals,
      line: { color: s.kind === "actual" ? "#111" : COLORS[(k + 1) % COLORS.length], dash: s.kind === "official" ? "dot" : "solid" },
    }));
    const layout = Object.assign({}, LAYOUT, { yaxis: { title: { text: data.labels.persons }, tickformat: ",.0f", automargin: true } });
    Plotly.react(root.querySelector("[data-chart]"), traces, layout, CONFIG);
  }

  // Long category names break into lines of about 22 characters (they ran into each other).
  function wrap(text) {
    const lines = [""];
    String(text).split(" ").forEach((word) => {
      const line = lines[lines.length - 1];
      if (line && (line + " " + word).length > 22) lines.push(word); else lines[lines.length - 1] = line ? line + " " + word : word;
    });
    return lines.join("<br>");
  }

  function drawRoom(root, data) {
    const types = data.types.map(wrap);
    const traces = [{ type: "bar", name: data.labels.today + " (" + data.first + ")", x: types, y: data.today, marker: { color: "#1f5f99" } }];
    if (data.projected.length) {
      traces.push({ type: "bar", name: data.labels.projected + " (" + data.last + ")", x: types, y: data.projected, marker: { color: "#c0392b" } });
    }
    const ticks = Spielraum.moneyTicks([].concat(data.today, data.projected));
    const layout = Object.assign({}, LAYOUT, { barmode: "group", hovermode: "closest", yaxis: Object.assign({ title: { text: data.labels.expense + ", " + data.labels.eur }, automargin: true }, ticks) });
    Plotly.react(root.querySelector("[data-chart]"), traces, layout, CONFIG);
  }

  const DRAW = { scenario: drawScenario, comparison: drawComparison, population: drawPopulation, room: drawRoom };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-projection-chart]").forEach(function (root) {
      const data = read(root.dataset.source);
      const draw = DRAW[root.dataset.projectionChart];
      if (!data || !draw || typeof Plotly === "undefined" || !(data.years || data.series || data.types)) return;
      if ((data.years && !data.years.length) || (data.series && !data.series.length)) return;
      const redraw = () => draw(root, data);
      root.querySelectorAll("select").forEach((el) => el.addEventListener("change", redraw));
      redraw();
      root.dataset.ready = "true";
    });
  });
})();
