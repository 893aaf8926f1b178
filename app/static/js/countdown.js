/* Live countdowns to a round's next deadline. The server renders the same text; this keeps it
   current. Elements: [data-countdown][data-deadline="ISO 8601"]; announcements go to
   [data-countdown-announcer] (an aria-live region) only when a deadline passes. */
(function () {
  "use strict";

  function plural(n, unit) {
    return n + " " + unit + (n === 1 ? "" : "s");
  }

  function describe(ms) {
    var seconds = Math.floor(ms / 1000);
    if (seconds < 60) {
      return "less than a minute";
    }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var parts = [];
    if (days) { parts.push(plural(days, "day")); }
    if (hours) { parts.push(plural(hours, "hour")); }
    if (minutes) { parts.push(plural(minutes, "minute")); }
    return parts.slice(0, 2).join(", ");
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
        element.textContent = "no time (the deadline has passed)";
        announce("The deadline has passed. Reload the page to see the round's next phase.");
      }
    });
  }

  update();
  window.setInterval(update, 10000);
}());
