// Invite page: copy a link with one click (Clipboard API; falls back to selecting the text).
"use strict";
document.querySelectorAll("[data-copy]").forEach(function (btn) {
  btn.addEventListener("click", function () {
    const input = document.getElementById(btn.dataset.copy);
    const status = btn.parentElement.querySelector("[data-copy-status]");
    const done = function (ok) { status.textContent = ok ? btn.dataset.copied : btn.dataset.copyFailed; };
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () { done(document.execCommand("copy")); });
    } else {
      done(document.execCommand("copy"));
    }
  });
});
