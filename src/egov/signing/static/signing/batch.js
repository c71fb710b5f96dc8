/* Batch signing: "Select all" ticks every document checkbox of the form; it follows the boxes
   (checked when all are, mixed when some are). The page works without this file. */
(function () {
  "use strict";
  function boxes(all) {
    var form = all.form || all.closest("form");
    return form ? form.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']") : [];
  }
  function sync(all) {
    var list = boxes(all), checked = 0;
    for (var i = 0; i < list.length; i++) if (list[i].checked) checked++;
    all.checked = list.length > 0 && checked === list.length;
    all.indeterminate = checked > 0 && checked < list.length;
    var counter = document.getElementById(all.getAttribute("aria-controls") || "");
    if (counter) counter.textContent = counter.getAttribute("data-template").replace("%s", checked);
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute("data-select-all")) {
      var list = boxes(target);
      for (var i = 0; i < list.length; i++) list[i].checked = target.checked;
      sync(target);
      return;
    }
    var alls = document.querySelectorAll("[data-select-all]");
    for (var j = 0; j < alls.length; j++) {
      if (target.name === alls[j].getAttribute("data-select-all")) sync(alls[j]);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var alls = document.querySelectorAll("[data-select-all]");
    for (var j = 0; j < alls.length; j++) sync(alls[j]);
  });
})();
