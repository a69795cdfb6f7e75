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
