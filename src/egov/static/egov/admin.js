// Give each select2 autocomplete box the accessible name of its field's <label>.
(function () {
  function label(root) {
    (root || document).querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      if (box.hasAttribute("aria-label")) return;
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || !select.id) return;
      var lab = document.querySelector('label[for="' + select.id + '"]');
      if (lab) {
        box.setAttribute("aria-label", lab.textContent.replace(/:\s*$/, "").trim());
        box.removeAttribute("aria-labelledby");
        var rendered = box.querySelector(".select2-selection__rendered");
        if (rendered) rendered.setAttribute("aria-hidden", "true");
      }
    });
  }
  function start() {
    label();
    new MutationObserver(function () { label(); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
