// Sozialräume: choropleth maps drawn from the district boundaries alone (plotly's geo layer with the
// imported GeoJSON, every base layer switched off: no tiles, no topojson download, no internet), the
// table beside the map, the year slider (switches in the browser, no request), district charts.
// Data comes from json_script elements; German number format unless the page is English.
"use strict";
(function () {
  const EN = document.documentElement.lang === "en";
  const SEP = EN ? ".," : ",.";
  const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"] };
  const NEED = [[0, "#fff5eb"], [0.35, "#fdbe85"], [0.7, "#e6550d"], [1, "#7f2704"]];

  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function fmt(value, digits) {
    if (value === null || value === undefined) { return "–"; }
    return value.toLocaleString(EN ? "en-GB" : "de-DE", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function escape(text) {
    const div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // plotly.js fetches a world topojson from its CDN for any geo trace with a locationmode, even when
  // every base layer is off. The map needs none of it: an empty topology under the name plotly looks
  // for (scope "world", resolution 110) keeps it from going to the internet.
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson.world_110m = window.PlotlyGeoAssets.topojson.world_110m ||
    { type: "Topology", objects: {}, arcs: [] };

  function geoLayout(extra) {
    return Object.assign({
      separators: SEP,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      geo: { visible: false, scope: "world", resolution: 110, fitbounds: "locations", projection: { type: "mercator" }, bgcolor: "rgba(0,0,0,0)" },
      showlegend: false,
      dragmode: false,
    }, extra || {});
  }

  function choropleth(geojson, ids, z, names, opts) {
    return {
      type: "choropleth", geojson: geojson, featureidkey: "id", locations: ids, z: z, text: names,
      colorscale: opts.colorscale || NEED, reversescale: !!opts.reverse, zmin: opts.zmin, zmax: opts.zmax,
      marker: { line: { color: "#ffffff", width: 1.5 } },
      colorbar: { thickness: 12, len: 0.6, title: { text: opts.unit || "", side: "right" }, tickformat: opts.tickformat || ",.1f" },
      hovertemplate: "<b>%{text}</b><br>%{z:,.2f} " + (opts.unit || "") + "<extra></extra>",
    };
  }

  function labelsTrace(rows) {
    const points = rows.filter(function (r) { return r.lon !== null && r.lat !== null; });
    return {
      type: "scattergeo", mode: "text", lon: points.map(function (r) { return r.lon; }),
      lat: points.map(function (r) { return r.lat; }), text: points.map(function (r) { return r.name; }),
      textfont: { size: 11, color: "#1b1b1b", shadow: "auto" }, hoverinfo: "skip",  // a halo keeps names readable on dark fills
    };
  }

  // -- the map page -----------------------------------------------------------------------------
  function mapPage() {
    const d = data("district-map-data");
    const L = data("district-map-labels");
    if (!d) { return; }
    const select = document.getElementById("map-indicator");
    const slider = document.getElementById("map-year");
    const yearLabel = document.getElementById("map-year-label");
    const tbody = document.getElementById("district-table-body");
    const title = document.getElementById("map-table-title");
    const el = document.getElementById("district-map");
    const withGeometry = new Set(d.geojson.features.map(function (f) { return f.id; }));
    const ids = d.districts.filter(function (r) { return withGeometry.has(r.id); }).map(function (r) { return r.id; });
    const position = {};
    d.districts.forEach(function (r, i) { position[r.id] = i; });
    const indicatorInfo = {};
    d.indicators.forEach(function (i) { indicatorInfo[i.key] = i; });

    function state() {
      return { key: select ? select.value : "social_index", year: slider ? slider.value : String(d.years[d.years.length - 1]) };
    }
    function series(key, year) {
      const byYear = d.values[key] || {};
      return byYear[year] || d.districts.map(function () { return null; });
    }
    function range(key) {
      // one colour range over all years, so that colours compare across the slider
      let lo = Infinity, hi = -Infinity;
      Object.values(d.values[key] || {}).forEach(function (list) {
        list.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      });
      if (key === "social_index") { const m = Math.max(Math.abs(lo), Math.abs(hi), 0.5); return [-m, m]; }
      return lo === Infinity ? [0, 1] : [lo, hi === lo ? lo + 1 : hi];
    }
    function draw() {
      const s = state();
      const values = series(s.key, s.year);
      const info = indicatorInfo[s.key] || { name: L.social_index, unit: "", direction: "worse" };
      if (yearLabel) { yearLabel.textContent = s.year; }
      if (title) { title.textContent = info.name + " " + s.year; }
      const ranks = d.rank[s.year] || [];
      const groups = d.group[s.year] || [];
      const rows = d.districts.map(function (r, i) {
        return { r: r, value: values[i], rank: ranks[i] === undefined ? null : ranks[i], group: groups[i] === undefined ? null : groups[i] };
      });
      rows.sort(function (a, b) {
        if (s.key !== "social_index") {
          const av = a.value === null ? -Infinity : a.value, bv = b.value === null ? -Infinity : b.value;
          return (info.direction === "better" ? av - bv : bv - av) || a.r.code.localeCompare(b.r.code);
        }
        return (a.rank === null) - (b.rank === null) || (a.rank || 0) - (b.rank || 0) || a.r.code.localeCompare(b.r.code);
      });
      tbody.innerHTML = rows.map(function (x) {
        return "<tr data-district=\"" + x.r.id + "\"><td>" + (x.rank === null ? "–" : x.rank) + "</td><td><a href=\"" + escape(x.r.url) + "\">" +
          escape(x.r.code + " " + x.r.name) + "</a></td><td class=\"num\">" + fmt(x.value, 2) + (x.value !== null && info.unit ? " " + escape(info.unit) : "") +
          "</td><td>" + (x.group === null ? "–" : x.group) + "</td></tr>";
      }).join("");
      const legend = document.getElementById("group-legend");
      const labels = d.group_labels[s.year] || {};
      if (legend) {
        legend.innerHTML = Object.keys(labels).sort().map(function (g) {
          return "<div>" + escape(L.group) + " " + g + ": " + escape(labels[g]) + "</div>";
        }).join("");
      }
      if (!el) { return; }
      const z = ids.map(function (id) { return values[position[id]]; });
      const names = ids.map(function (id) {
        const r = d.districts[position[id]];
        const v = values[position[id]];
        return r.name + (v === null ? " (" + L.no_value + ")" : "");
      });
      const [zmin, zmax] = range(s.key);
      const trace = choropleth(d.geojson, ids, z, names, {
        zmin: zmin, zmax: zmax, unit: info.unit, reverse: info.direction === "better",
      });
      Plotly.react(el, [trace, labelsTrace(d.districts)], geoLayout(), CONFIG);
      const params = new URLSearchParams(window.location.search);
      params.set("indicator", s.key); params.set("year", s.year);
      window.history.replaceState(null, "", "?" + params.toString());
    }
    if (select) { select.addEventListener("change", draw); }
    if (slider) { slider.addEventListener("input", draw); }
    draw();
    if (el) {
      el.on("plotly_click", function (event) {
        const point = event.points && event.points[0];
        if (point && point.location !== undefined) {
          window.location.href = d.districts[position[point.location]].url;
        }
      });
      el.dataset.ready = "1";
    }
  }

  // -- needs against offers ---------------------------------------------------------------------
  function needsPage() {
    const d = data("needs-map-data");
    const el = document.getElementById("needs-map");
    if (!d || !el) { return; }
    const rows = d.rows;
    const ids = rows.map(function (r) { return r.id; });
    const trace = choropleth(d.geojson, ids, rows.map(function (r) { return r.need; }), rows.map(function (r) { return r.name; }), {
      unit: d.labels.need,
    });
    const points = rows.filter(function (r) { return r.lon !== null; });
    const max = Math.max.apply(null, points.map(function (r) { return r.offers; }).concat([1]));
    const offers = {
      type: "scattergeo", mode: "markers+text", lon: points.map(function (r) { return r.lon; }), lat: points.map(function (r) { return r.lat; }),
      text: points.map(function (r) { return String(r.offers); }), textfont: { color: "#fff", size: 11 },
      marker: {
        size: points.map(function (r) { return 14 + 26 * Math.sqrt(r.offers / max); }),
        color: points.map(function (r) { return r.thin ? "#b3261e" : "#0b5cad"; }), opacity: 0.85, line: { color: "#fff", width: 1 },
      },
      customdata: points.map(function (r) { return [r.name, r.capacity, r.hours, r.thin ? d.labels.thin : ""]; }),
      hovertemplate: "<b>%{customdata[0]}</b><br>" + d.labels.offers + ": %{text}<br>%{customdata[3]}<extra></extra>",
    };
    Plotly.newPlot(el, [trace, offers], geoLayout(), CONFIG);
    el.on("plotly_click", function (event) {
      const point = event.points && event.points[0];
      const row = point && (point.location !== undefined ? rows[ids.indexOf(point.location)] : points[point.pointIndex]);
      if (row) { window.location.href = row.url; }
    });
  }

  // -- the district page ------------------------------------------------------------------------
  function detailPage() {
    const d = data("district-detail-data");
    if (!d) { return; }
    const L = d.labels;
    const grid = document.getElementById("district-series");
    if (grid) {
      d.series.forEach(function (s) {
        const div = document.createElement("div");
        grid.appendChild(div);
        const traces = [
          { x: s.years, y: s.district, mode: "lines+markers", name: L.district, line: { color: "#b3261e", width: 2 } },
        ];
        if (s.kind !== "count") {  // a count of the whole town is no comparison for one district
          traces.push({ x: s.years, y: s.municipality, mode: "lines+markers", name: L.municipality, line: { color: "#0b5cad", dash: "dot" } });
        }
        Plotly.newPlot(div, traces, {
          title: { text: s.name + (s.unit ? " (" + s.unit + ")" : ""), font: { size: 13 } }, separators: SEP,
          margin: { l: 50, r: 10, t: 36, b: 30 }, legend: { orientation: "h", y: -0.2 }, hovermode: "x unified",
          xaxis: { dtick: 1, tickformat: "d" }, yaxis: { tickformat: ",.1f" },
        }, CONFIG);
      });
    }
    const pyramidEl = document.getElementById("district-pyramid");
    if (pyramidEl && d.pyramid) {
      const p = d.pyramid;
      Plotly.newPlot(pyramidEl, [
        { type: "bar", orientation: "h", y: p.groups, x: p.district.map(function (v) { return -v; }), name: L.district,
          marker: { color: "#b3261e" }, customdata: p.district, hovertemplate: "%{y}: %{customdata:,.1f} %<extra></extra>" },
        { type: "bar", orientation: "h", y: p.groups, x: p.municipality, name: L.municipality,
          marker: { color: "#0b5cad" }, hovertemplate: "%{y}: %{x:,.1f} %<extra></extra>" },
      ], {
        barmode: "overlay", bargap: 0.1, separators: SEP, margin: { l: 60, r: 10, t: 10, b: 40 },
        legend: { orientation: "h", y: -0.15 }, xaxis: { title: { text: L.share }, tickformat: ",.0f" },
      }, CONFIG);
      const max = Math.max.apply(null, p.district.concat(p.municipality));
      const ticks = [-max, -max / 2, 0, max / 2, max].map(function (v) { return Math.round(v); });
      Plotly.relayout(pyramidEl, { "xaxis.tickvals": ticks, "xaxis.ticktext": ticks.map(function (v) { return String(Math.abs(v)); }) });
    }
  }

  mapPage();
  needsPage();
  detailPage();
})();
