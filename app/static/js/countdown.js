/* Live countdowns to a round's next deadline. The server renders the same text; this keeps it
   current. Elements: [data-countdown][data-deadline="ISO 8601"]; announcements go to
   [data-countdown-announcer] (an aria-live region) only when a deadline passes. */
(function () {
  "use strict";

  var i18n = window.cwI18n;
  var gettext = i18n ? i18n.gettext : function (message) { return message; };
  var ngettext = i18n ? i18n.ngettext : function (singular, plural, n) {
    return (n === 1 ? singular : plural).replace("%(num)s", String(n));
  };

  function describe(ms) {
    var seconds = Math.floor(ms / 1000);
    if (seconds < 60) {
      return gettext("less than a minute");
    }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var parts = [];
    if (days) { parts.push(ngettext("%(num)s day", "%(num)s days", days)); }
    if (hours) { parts.push(ngettext("%(num)s hour", "%(num)s hours", hours)); }
    if (minutes) { parts.push(ngettext("%(num)s minute", "%(num)s minutes", minutes)); }
    if (parts.length < 2) { return parts[0]; }
    /* TRANSLATORS: two parts of a time left, e.g. "2 days, 3 hours" */
    return gettext("%(first)s, %(second)s", { first: parts[0], second: parts[1] });
  }

  function announce(message) {
    var region = document.querySelector("[data-countdown-announcer]");
    if (region) {
      region.textContent = message;
    }
  }

  function update() {
    var now = Date.now();
    var elements = document.querySelectorAll("[data-countdown]");
    Array.prototype.forEach.call(elements, function (element) {
      var deadline = Date.parse(element.getAttribute("data-deadline"));
      if (isNaN(deadline)) {
        return;
      }
      var left = deadline - now;
      if (left > 0) {
        element.textContent = describe(left);
        return;
      }
      if (element.getAttribute("data-expired") !== "true") {
        element.setAttribute("data-expired", "true");
        element.textContent = gettext("no time (the deadline has passed)");
        announce(gettext("The deadline has passed. Reload the page to see the round's next phase."));
      }
    });
  }

  update();
  window.setInterval(update, 10000);
}());
