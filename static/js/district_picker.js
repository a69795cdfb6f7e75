// A small offline map of the municipality's districts beside longitude/latitude fields: a click on the
// map fills both fields (WGS84). Drawn with plotly's geo layer from the districts' GeoJSON alone (no
// tiles, no topojson download); the click is turned into longitude/latitude by plotly's own projection
// (the d3 projection of the geo subplot, ``projection.invert``), no home-made map math.
"use strict";
(function () {
  const box = document.querySelector("[data-district-picker]");
  if (!box || !window.Plotly) { return; }
  // plotly asks its CDN for a world topojson for geo traces with a locationmode: give it an empty one
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson.world_110m = window.PlotlyGeoAssets.topojson.world_110m ||
    { type: "Topology", objects: {}, arcs: [] };
  const EN = document.documentElement.lang === "en";
  const geojson = JSON.parse(document.getElementById(box.dataset.source).textContent);
  const lonField = document.getElementById(box.dataset.lon);
  const latField = document.getElementById(box.dataset.lat);
  const out = box.querySelector("[data-picked]");
  const el = box.querySelector("[data-testid=district-picker]");
  el.style.height = "18rem";

  function parse(field) {
    const value = parseFloat(String(field.value || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }
  function text(value) {
    const fixed = value.toFixed(6);
    return EN ? fixed : fixed.replace(".", ",");
  }
  const start = [parse(lonField), parse(latField)];
  const marker = {
    type: "scattergeo", mode: "markers", lon: start[0] === null ? [] : [start[0]],
    lat: start[1] === null ? [] : [start[1]], marker: { size: 11, color: "#b3261e", line: { color: "#fff", width: 2 } },
    hoverinfo: "skip",
  };
  const ids = geojson.features.map(function (f) { return f.id; });
  const names = geojson.features.map(function (f) { return f.properties.name; });
  const districts = {
    type: "choropleth", geojson: geojson, featureidkey: "id", locations: ids, z: ids.map(function () { return 0; }),
    text: names, colorscale: [[0, "#dfe8f1"], [1, "#dfe8f1"]], showscale: false,
    marker: { line: { color: "#0b5cad", width: 1 } }, hovertemplate: "%{text}<extra></extra>",
  };
  const labels = {
    type: "scattergeo", mode: "text", hoverinfo: "skip", textfont: { size: 10, color: "#1b1b1b", shadow: "auto" },
    lon: geojson.features.map(function (f) { return f.properties.lon; }),
    lat: geojson.features.map(function (f) { return f.properties.lat; }), text: names,
  };
  const layout = {
    margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false, dragmode: false,
    geo: { visible: false, scope: "world", resolution: 110, fitbounds: "locations", projection: { type: "mercator" }, bgcolor: "rgba(0,0,0,0)" },
  };
  const traces = labels.lon.every(function (v) { return v !== undefined && v !== null; }) ? [districts, labels, marker] : [districts, marker];
  const markerIndex = traces.length - 1;
  Plotly.newPlot(el, traces, layout, { displayModeBar: false, responsive: true }).then(function () {
    // plotly reports a click on a district with the mouse event (a native click ends on plotly's drag
    // cover, not on the map); outside every district there is nothing to pick
    el.on("plotly_click", function (data) {
      const event = data && data.event;
      if (!event) { return; }
      const geo = el._fullLayout.geo._subplot;
      const frame = el.querySelector(".main-svg").getBoundingClientRect();
      const lonlat = geo.projection.invert([event.clientX - frame.left, event.clientY - frame.top]);
      if (!lonlat || !isFinite(lonlat[0]) || !isFinite(lonlat[1])) { return; }
      lonField.value = text(lonlat[0]);
      latField.value = text(lonlat[1]);
      Plotly.restyle(el, { lon: [[lonlat[0]]], lat: [[lonlat[1]]] }, [markerIndex]);
      out.textContent = box.dataset.pickedLabel + " " + text(lonlat[1]) + "° " + box.dataset.north + ", " + text(lonlat[0]) + "° " + box.dataset.east;
      el.dataset.picked = "1";
    });
    el.dataset.ready = "1";
  });
})();
