/* Amendment editor: a live word-level preview and field hints.
 * Progressive enhancement only: without this script the "Preview" and "Load these lines"
 * buttons post the form and the server renders the same preview. */
(function () {
  "use strict";

  var form = document.getElementById("amend-form");
  if (!form || !form.dataset.previewUrl || !window.fetch || !window.FormData) {
    return;
  }
  var region = document.getElementById("preview");
  var text = form.querySelector("[data-amend-text]");
  var startField = form.querySelector("[data-amend-range=start]");
  var endField = form.querySelector("[data-amend-range=end]");
  var timer = null;
  var sequence = 0;

  function currentMode() {
    var checked = form.querySelector("[data-amend-mode]:checked");
    return checked ? checked.value : "replace";
  }

  function showField(input, visible) {
    var wrapper = input && input.closest(".field");
    if (wrapper) {
      wrapper.hidden = !visible;
    }
  }

  /* Insertions need no "to" line, appending needs no line at all, and a deletion has no new text. */
  function applyMode() {
    var mode = currentMode();
    showField(startField, mode !== "append");
    showField(endField, mode === "replace" || mode === "delete");
    if (text) {
      text.readOnly = mode === "delete";
      text.classList.toggle("is-ignored", mode === "delete");
    }
  }

  function refresh() {
    var ticket = ++sequence;
    var data = new FormData(form);
    data.set("action", "preview");
    region.setAttribute("aria-busy", "true");
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        if (ticket === sequence) {
          region.innerHTML = html; /* server-rendered and escaped by Jinja */
          followMovedLines();
        }
      })
      .catch(function () {
        /* offline or server error: the Preview button still works */
      })
      .then(function () {
        if (ticket === sequence) {
          region.removeAttribute("aria-busy");
        }
      });
  }

  /* The text changed since the form was opened and the chosen lines only moved: the preview
     (data-moved-to) is against the current text, and so is the form from now on. */
  function followMovedLines() {
    var moved = region.querySelector("[data-moved-to]");
    var revision = form.querySelector('input[name="revision"]');
    if (!moved || !revision) {
      return;
    }
    revision.value = moved.getAttribute("data-revision");
    if (startField && currentMode() !== "append") {
      startField.value = moved.getAttribute("data-line-start");
    }
    if (endField && (currentMode() === "replace" || currentMode() === "delete")) {
      endField.value = moved.getAttribute("data-line-end");
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  }

  form.addEventListener("input", function (event) {
    if (event.target.name !== "rationale") {
      schedule();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-amend-mode]")) {
      applyMode();
      schedule();
    }
  });
  applyMode();
  if (region && !region.textContent.trim()) {
    refresh();
  }
})();
