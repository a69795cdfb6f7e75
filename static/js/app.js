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
