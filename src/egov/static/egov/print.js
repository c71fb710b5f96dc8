// Print buttons of the slip pages (documents/print/page.html): shown only with JavaScript; without
// it the page says to use the browser's Print command.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
