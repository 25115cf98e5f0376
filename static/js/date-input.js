/* The one date widget (audits/dates.py DateInput): while a date is typed, and when the
   field is left, ask the server what it reads (GET /dates/understand/, the same parser the
   forms use: no second parser here) and show the answer in the aria-live line under the
   field, e.g. 「令和3年9月30日（2021年9月30日）として登録します」 or the error message.
   Without JavaScript the form still works: the server reads the text on submit. */
(function () {
  "use strict";

  var DELAY_MS = 300;

  function lineFor(input) {
    return document.getElementById(input.id + "_understood");
  }

  function show(input, message, isError) {
    var line = lineFor(input);
    if (!line) {
      return;
    }
    if (line.textContent !== message) {
      line.textContent = message;
    }
    line.classList.toggle("date-input__understood--error", Boolean(isError && message));
  }

  function ask(input) {
    var text = input.value.trim();
    if (text === input.dataset.lastAsked) {
      return;
    }
    input.dataset.lastAsked = text;
    if (!text) {
      show(input, "", false);
      return;
    }
    var query = new URLSearchParams({
      text: text,
      purpose: input.dataset.purpose || "entry",
      label: input.dataset.label || "日付",
    });
    var asked = text;
    fetch(input.dataset.understandUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        // An older answer that arrives after a newer question is dropped.
        if (input.value.trim() === asked) {
          show(input, answer.message || "", !answer.ok);
        }
      })
      .catch(function () {
        /* No answer (signed out, offline): the server still reads the text on submit. */
      });
  }

  function watch(root) {
    root.querySelectorAll("input[data-date-input]").forEach(function (input) {
      if (input.dataset.dateInputReady) {
        return;
      }
      input.dataset.dateInputReady = "1";
      var timer = null;
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          ask(input);
        }, DELAY_MS);
      });
      input.addEventListener("blur", function () {
        window.clearTimeout(timer);
        ask(input);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watch(document);
  });
  // Forms that htmx swaps in (the inline entry form, structure rows).
  document.addEventListener("htmx:afterSettle", function (event) {
    watch(event.target);
  });
})();
