// Department pickers (templates/audits/_department_checkboxes.html): with 400 課 the
// grouped checkboxes are long, so a filter box narrows them as you type. Without this
// script the checkboxes work as they are. Checked boxes always stay visible.
(function () {
  "use strict";
  function setUp(picker) {
    var box = picker.querySelector("[data-department-filter]");
    var status = picker.querySelector("[data-department-filter-status]");
    if (!box) return;
    box.parentElement.hidden = false;
    var options = Array.prototype.slice.call(picker.querySelectorAll(".department-option"));
    var groups = Array.prototype.slice.call(picker.querySelectorAll(".department-group"));
    function apply() {
      var words = box.value.replace(/\u3000/g, " ").trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var text = (option.getAttribute("data-search") || "").toLowerCase();
        var input = option.querySelector("input");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !(match || (input && input.checked));
        if (!option.hidden) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".department-option:not([hidden])");
      });
      if (status) status.textContent = words.length ? shown + "件を表示" : "";
    }
    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never submits the form
    });
  }
  function init() {
    document.querySelectorAll("[data-department-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
