/* The ballot receipt's Copy button.

   Without JavaScript the receipt is plain selectable text (its groups of four are spans with no
   spaces between them, so a selection copies the receipt itself) and the button stays hidden.
   This script shows the button [data-copy-receipt="<id of the code>"]; pressing it copies the
   code's text with the Clipboard API, or by selecting it and the copy command where that API
   is missing, and says what happened in the [data-copy-status] live region. */
(function () {
  "use strict";

  var gettext = window.cwI18n ? window.cwI18n.gettext : function (message) { return message; };

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelection(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(element) {
    var text = element.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
        function () { return copyBySelection(element); });
    }
    return Promise.resolve(copyBySelection(element));
  }

  function enhance(button) {
    var code = document.getElementById(button.getAttribute("data-copy-receipt"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!code) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(code).then(function (copied) {
        if (copied) {
          button.textContent = gettext("Copied");
          status.textContent = gettext("The receipt is copied to the clipboard.");
        } else {
          selectText(code);
          status.textContent = gettext("Copying is not allowed here: the receipt is selected, press Ctrl+C (or ⌘C) to copy it.");
        }
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-receipt]"), enhance);
}());
