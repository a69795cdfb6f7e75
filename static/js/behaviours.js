// Declarative page behaviours instead of inline event handlers (the Content-Security-Policy allows no
// inline script without a nonce): data-confirm="question" on a form asks before submitting,
// data-autosubmit on a field submits its form on change, data-print prints the page, data-join-code on a
// form goes to the invite code typed into its "code" field.
"use strict";
document.addEventListener("submit", function (ev) {
  const form = ev.target;
  if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  } else if (form.matches("form[data-join-code]")) {
    ev.preventDefault();
    const code = form.elements.code.value.trim();
    if (code) { location.href = "../" + encodeURIComponent(code) + "/"; }
  }
});
document.addEventListener("change", function (ev) {
  if (ev.target.matches("[data-autosubmit]") && ev.target.form) { ev.target.form.submit(); }
});
document.addEventListener("click", function (ev) {
  if (ev.target.closest("[data-print]")) { window.print(); }
});
