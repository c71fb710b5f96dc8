/* eGov web shell: small progressive enhancements only. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");

  // "Copy" buttons: <button data-copy="#input-id">; the input stays selectable without JS.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () {
      var status = document.getElementById(button.getAttribute("aria-controls") || "");
      if (status) status.textContent = button.getAttribute("data-copied") || "";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
