/* After a failed submit the page comes back with an error summary (templates/includes/
   error_summary.html): focus moves to it, so a screen reader reads the errors first and a
   keyboard user starts from the list. Each link in it moves focus to its field, also when
   the link names a group of radio buttons or checkboxes. Loaded from base.html (no inline
   script: the Content-Security-Policy allows only files from this site). */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  function focusTarget(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) {
      return;
    }
    var control = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!control) {
      return;
    }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    control.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });
  document.addEventListener("click", focusTarget);
  // A form that htmx swaps back in with its errors.
  document.addEventListener("htmx:afterSettle", function (event) {
    focusSummary(event.target);
  });
})();
