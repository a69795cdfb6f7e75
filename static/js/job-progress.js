// Live progress bar for a background job (templates/components/job_progress.html).
// Follows the job over its websocket; if the socket fails or closes before the job ends, it polls
// the REST endpoint every two seconds instead. The job row on the server is the truth either way.
"use strict";
(function () {
  function render(el, job) {
    el.dataset.status = job.status;
    const fill = el.querySelector("[data-role=fill]");
    fill.style.width = job.progress + "%";
    fill.className = "bar-fill status-" + job.status;
    el.querySelector("[role=progressbar]").setAttribute("aria-valuenow", job.progress);
    el.querySelector("[data-role=status]").textContent = job.status_label || job.status;
    const msg = el.querySelector("[data-role=message]");
    msg.textContent = job.message || "";
    msg.classList.toggle("error", job.status === "failed");
    if (job.finished) {
      el.dispatchEvent(new CustomEvent("job:finished", { bubbles: true, detail: job }));
      if (job.status === "succeeded" && el.dataset.redirect) { window.location.assign(el.dataset.redirect); }
    }
  }
  function poll(el) {
    const tick = function () {
      fetch(el.dataset.apiUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (j) {
          j.finished = j.status === "succeeded" || j.status === "failed";
          render(el, j);
          if (!j.finished) { setTimeout(tick, 2000); }
        })
        .catch(function () { setTimeout(tick, 5000); });
    };
    tick();
  }
  function follow(el) {
    if (el.dataset.bound) { return; }
    el.dataset.bound = "1";
    if (el.dataset.status === "succeeded" || el.dataset.status === "failed") { return; }
    let finished = false;
    let socket;
    try { socket = new WebSocket(Spielraum.wsUrl(el.dataset.wsUrl)); } catch (e) { poll(el); return; }
    socket.onmessage = function (ev) {
      const job = JSON.parse(ev.data);
      finished = job.finished;
      render(el, job);
      if (finished) { socket.close(); }
    };
    socket.onclose = function () { if (!finished) { poll(el); } };
  }
  function init(root) { (root || document).querySelectorAll("[data-job-progress]").forEach(follow); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (ev) { init(ev.target); });
  window.Spielraum = window.Spielraum || {};
  window.Spielraum.followJobs = init;
})();
