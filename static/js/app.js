// Small helpers shared by all pages. htmx sends the CSRF token via hx-headers on <body>.
"use strict";
window.Spielraum = window.Spielraum || {};
Spielraum.csrfToken = function () {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
};
Spielraum.wsUrl = function (path) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
};

// Copy buttons: <button data-copy="#input-id">; confirmations: <form data-confirm="Text?">.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  source.select();
  const done = function () { button.dataset.label = button.dataset.label || button.textContent; button.textContent = "✓"; setTimeout(function () { button.textContent = button.dataset.label; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
  else { document.execCommand("copy"); done(); }
});
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// Wide tables scroll inside their own box, never the page: wrap every table that is not already in one
// (also tables that htmx swaps in later). The box is focusable so that keyboard users can scroll it.
Spielraum.wrapTables = function (root) {
  (root || document).querySelectorAll("table").forEach(function (table) {
    const parent = table.parentElement;
    if (!parent || parent.classList.contains("table-scroll") || parent.classList.contains("fin-scroll")) return;
    const box = document.createElement("div");
    box.className = "table-scroll";
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    const caption = table.querySelector("caption");
    box.setAttribute("aria-label", caption ? caption.textContent.trim() : (document.documentElement.lang === "en" ? "Table" : "Tabelle"));
    parent.insertBefore(box, table);
    box.appendChild(table);
  });
};
document.addEventListener("DOMContentLoaded", function () { Spielraum.wrapTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { Spielraum.wrapTables(event.target); });

// Every plotly chart gets a "table" toggle: the same numbers as a table, for screen readers, for people who
// prefer to read figures, and for copying. Built from the drawn figure, so it always matches the chart.
(function () {
  const en = function () { return document.documentElement.lang === "en"; };
  const fmt = function (v) {
    if (typeof v !== "number" || !isFinite(v)) return v === null || v === undefined ? "–" : String(v);
    return new Intl.NumberFormat(en() ? "en-GB" : "de-DE", { maximumFractionDigits: Math.abs(v) < 10 ? 2 : 1 }).format(v);
  };
  function build(gd) {
    const traces = (gd.data || []).filter(function (t) { return t.visible !== false; });
    const table = document.createElement("table");
    table.className = "table chart-table";
    const head = table.createTHead().insertRow();
    const body = table.createTBody();
    const cell = function (row, text, tag) { const c = document.createElement(tag || "td"); c.textContent = text; row.appendChild(c); return c; };
    const hier = traces.find(function (t) { return t.labels && t.values; });
    if (hier) {  // sunburst / pie: one row per segment
      cell(head, en() ? "Segment" : "Segment", "th"); cell(head, en() ? "Value" : "Wert", "th").className = "num";
      hier.labels.forEach(function (label, i) { const r = body.insertRow(); cell(r, label); cell(r, fmt(hier.values[i])).className = "num"; });
      return table;
    }
    const horizontal = traces.length && traces[0].orientation === "h";
    const keys = [];
    traces.forEach(function (t) { (horizontal ? t.y : t.x || []).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
    cell(head, "", "th");
    traces.forEach(function (t, i) { cell(head, t.name || (en() ? "Series " : "Reihe ") + (i + 1), "th").className = "num"; });
    keys.forEach(function (k) {
      const r = body.insertRow();
      cell(r, String(k).replace(/<br\s*\/?>/g, " "));  // category labels wrapped for the axis
      traces.forEach(function (t) {
        const cats = horizontal ? t.y : t.x || [];
        const vals = horizontal ? t.x : t.y || [];
        const i = cats.indexOf(k);
        cell(r, fmt(i >= 0 ? vals[i] : null)).className = "num";
      });
    });
    return table;
  }
  function addToggle(gd) {
    if (gd.dataset.tableToggle) return;
    // a chart whose page already offers its table right below (a <details> next to it) needs no second one
    let next = gd.nextElementSibling;
    while (next && next.tagName === "SCRIPT") next = next.nextElementSibling;  // the figure's json_script
    if (gd.closest("[data-no-table-toggle]") || (next && next.tagName === "DETAILS")) { gd.dataset.tableToggle = "0"; return; }
    gd.dataset.tableToggle = "1";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "linklike chart-table-toggle";
    button.setAttribute("aria-expanded", "false");
    const label = function (open) { return open ? (en() ? "Hide table" : "Tabelle ausblenden") : (en() ? "Show as table" : "Als Tabelle zeigen"); };
    button.textContent = label(false);
    const box = document.createElement("div");
    box.className = "table-scroll";
    box.hidden = true;
    button.addEventListener("click", function () {
      const open = box.hidden;
      if (open) { box.replaceChildren(build(gd)); }
      box.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = label(open);
    });
    // chart, button and table stay one block: as three siblings in a grid they became three cells and
    // squeezed the chart next to its own button
    const figure = document.createElement("div");
    figure.className = "chart-with-table";
    gd.parentNode.insertBefore(figure, gd);
    figure.append(gd, button, box);
  }
  const scan = function () { document.querySelectorAll(".js-plotly-plot").forEach(addToggle); };
  document.addEventListener("DOMContentLoaded", function () {
    scan();
    new MutationObserver(function (records) {
      if (records.some(function (r) { return r.target.classList && r.target.classList.contains("js-plotly-plot"); })) scan();
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["class"] });
  });
})();

// An explanation ("?") opens as a box beside its mark; near the right edge of a narrow screen it would run
// off the page (and make the page scroll sideways): shift it back inside the viewport.
document.addEventListener("toggle", function (event) {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open || !details.matches("details.explain")) return;
  const body = details.querySelector(".explain-body");
  if (!body) return;
  body.style.left = "";
  const box = body.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const margin = 8;
  let shift = 0;
  if (box.right > width - margin) shift = width - margin - box.right;
  if (box.left + shift < margin) shift = margin - box.left;
  if (shift) body.style.left = shift + "px";
}, true);

// Round axis ticks for money: about `steps` (default 6) steps of 1, 2, 2.5 or 5 times a power of ten,
// labelled in millions ("50 Mio. €") once the values reach a million, so that an axis never reads
// 58.781.336 or 100.000.000 €.
Spielraum.moneyTicks = function (values, suffix, steps) {
  const finite = values.filter(function (v) { return typeof v === "number" && isFinite(v); });
  if (!finite.length) return {};
  const en = document.documentElement.lang === "en";
  let lo = Math.min(0, Math.min.apply(null, finite));
  let hi = Math.max(0, Math.max.apply(null, finite));
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / (steps || 6);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).find(function (x) { return x >= raw; });
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const millions = Math.max(Math.abs(lo), Math.abs(hi)) >= 1e6;
  const fmt = new Intl.NumberFormat(en ? "en-GB" : "de-DE", { maximumFractionDigits: 2 });
  const tickvals = [], ticktext = [];
  for (let v = lo; v <= hi + step / 2; v += step) {
    const value = Math.round(v / step) * step;
    tickvals.push(value);
    const text = value === 0 || !millions ? fmt.format(value) : fmt.format(value / 1e6) + (en ? " m" : " Mio.");
    ticktext.push(text + (suffix || ""));
  }
  return { tickmode: "array", tickvals: tickvals, ticktext: ticktext, range: [lo - step / 4, hi + step / 4] };
};

// Years on an x axis: every year while they fit, else every 2nd or 5th (never rotated labels).
Spielraum.yearStep = function (el, count) {
  const fit = Math.max(3, Math.floor((el.clientWidth || 600) / 55));
  return [1, 2, 5, 10].find(function (d) { return count / d <= fit; }) || 10;
};
