// Grid and network charts of the stakeholder pages (plotly.js from the installed package). The figure
// comes from a json_script element; a click on a dot opens the stakeholder (its URL is the customdata).
"use strict";
(function () {
  function draw(el) {
    const source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly) return;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false }).then(function () {
      el.dataset.ready = "true";
    });
    el.on("plotly_click", function (event) {
      const point = event.points && event.points[0];
      if (point && typeof point.customdata === "string") window.location.href = point.customdata;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-figure]").forEach(draw);
  });
})();
