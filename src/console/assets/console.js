// Infusion RCM console: behaviour shared by every page (no inline scripts: the CSP forbids them).
// Pages opt in with data- attributes; each area may add its own file next to this one.
"use strict";
(function () {
  // <button data-confirm="Text"> asks before submitting its form.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (target !== null && !window.confirm(target.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
