/* Incoming documents: show the chosen PDF beside the registration form (URL.createObjectURL).
   Without JavaScript the form works the same; only the preview is missing. */
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-pdf-preview]");
  if (!input || !window.URL || !URL.createObjectURL) return;
  var frame = document.getElementById(input.getAttribute("data-pdf-preview"));
  var empty = document.getElementById(input.getAttribute("data-pdf-preview") + "-empty");
  if (!frame) return;
  var current = null;
  function show() {
    var file = input.files && input.files[0];
    if (current) { URL.revokeObjectURL(current); current = null; }
    if (!file) {
      frame.hidden = true;
      frame.removeAttribute("src");
      if (empty) empty.hidden = false;
      return;
    }
    current = URL.createObjectURL(file);
    frame.src = current;
    frame.hidden = false;
    if (empty) empty.hidden = true;
  }
  input.addEventListener("change", show);
  show();
})();
