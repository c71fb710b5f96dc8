// Searchable checkbox lists (templates/egov/_checklist.html). Without JavaScript every checkbox is
// shown and usable; with it, a filter box hides the choices that do not match (ignoring case and
// Vietnamese diacritics, "ha noi" finds "Hà Nội") and a status line counts the chosen ones.
(function () {
  "use strict";
  if (window.egovChecklist) { return; }
  window.egovChecklist = true;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }

  function setup(list) {
    var tools = list.querySelector("[data-checklist-tools]");
    var filter = list.querySelector("[data-checklist-filter]");
    var status = list.querySelector("[data-checklist-status]");
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-checklist-item]"));
    if (!tools || !filter) { return; }
    tools.hidden = false;

    function update() {
      var wanted = fold(filter.value);
      var shown = 0;
      var chosen = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var match = !wanted || fold(item.textContent).indexOf(wanted) !== -1;
        // Chosen boxes stay visible, so a filter never hides what will be sent.
        item.hidden = !(match || (box && box.checked));
        if (!item.hidden) { shown += 1; }
        if (box && box.checked) { chosen += 1; }
      });
      var text = (status.getAttribute("data-template-chosen") || "") + " " + chosen;
      if (wanted && shown === 0) { text = status.getAttribute("data-template-none") + " " + text; }
      status.textContent = text;
    }

    filter.addEventListener("input", update);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // do not submit the form
    });
    list.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll("[data-checklist]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
