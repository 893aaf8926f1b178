/* Ranking control for ranked questions on the ballot page.

   Without JavaScript each option has a "rank" select (1..n, equal numbers = tie), and the
   "Clear my ranking" submit button asks the server for the form again with that ranking
   emptied. This script turns the options into a list that is reordered by drag and drop or by
   keyboard ("Move up" / "Move down" buttons), with a "Tied with the option above" toggle; the
   list order is written back into the same selects, so the form posts exactly what the
   selects would. Ranking any option (moving it, or tying it) answers the question with the
   whole list; "Clear my ranking" then empties every select here, without a round trip, and
   the question is left unanswered. */
(function () {
  "use strict";

  var gettext = window.cwI18n ? window.cwI18n.gettext : function (message, values) {
    return message.replace(/%\((\w+)\)s/g, function (match, name) {
      return values && name in values ? String(values[name]) : match;
    });
  };

  /* What is said after a change: the option, what happened to it, and where it is now. */
  function changeMessage(what, values) {
    if (what === "tied") {
      return gettext("%(option)s tied with the option above: now rank %(rank)s of %(total)s.", values);
    }
    if (what === "untied") {
      return gettext("%(option)s no longer tied: now rank %(rank)s of %(total)s.", values);
    }
    if (what === "up") {
      return gettext("%(option)s moved up: now rank %(rank)s of %(total)s.", values);
    }
    if (what === "down") {
      return gettext("%(option)s moved down: now rank %(rank)s of %(total)s.", values);
    }
    return gettext("%(option)s moved: now rank %(rank)s of %(total)s.", values);
  }

  function Ranking(container) {
    this.container = container;
    this.list = container.querySelector(".ranking-options");
    this.items = Array.prototype.map.call(container.querySelectorAll(".ranking-option"), function (li) {
      var select = li.querySelector("select");
      return { li: li, select: select, label: select.getAttribute("data-label"), tied: false };
    });
    this.dragged = null;
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.start();
  }

  Ranking.prototype.start = function () {
    var ranked = this.items.filter(function (item) { return item.select.value !== ""; });
    this.included = ranked.length > 0;
    if (this.included) {
      this.orderFromSelects();
    }
    this.enhanceClear();
    this.items.forEach(this.enhanceItem, this);
    this.container.appendChild(this.status);
    this.container.classList.add("enhanced");
    this.render();
  };

  Ranking.prototype.orderFromSelects = function () {
    var rankOf = function (item) {
      return item.select.value === "" ? Infinity : parseInt(item.select.value, 10);
    };
    var indexed = this.items.map(function (item, index) { return { item: item, index: index }; });
    indexed.sort(function (a, b) {
      return (rankOf(a.item) - rankOf(b.item)) || (a.index - b.index);
    });
    this.items = indexed.map(function (entry) { return entry.item; });
    this.items.forEach(function (item, index, all) {
      item.tied = index > 0 && rankOf(item) === rankOf(all[index - 1]);
    });
  };

  Ranking.prototype.enhanceClear = function () {
    var button = this.container.querySelector("[data-clear-ranking]");
    if (!button) {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      this.included = false;
      this.render();
      this.say(gettext("Your ranking is cleared: this question will be left unanswered. Move an option to rank again."));
    }.bind(this));
    // Ranking the list as it stands, without moving anything first.
    var useOrder = document.createElement("button");
    useOrder.type = "button";
    useOrder.className = "button small";
    useOrder.textContent = gettext("Rank in this order");
    useOrder.addEventListener("click", function () {
      this.included = true;
      this.render();
      this.clearButton.focus();
      var order = this.items.map(function (item) { return item.label; }).reduce(function (list, label) {
        /* TRANSLATORS: the options of a ranking in order, e.g. "A1, then A2, then A3" */
        return gettext("%(list)s, then %(next)s", { list: list, next: label });
      });
      this.say(gettext("Ranked in the order shown: %(order)s.", { order: order }));
    }.bind(this));
    button.parentNode.insertBefore(useOrder, button);
    this.useOrder = useOrder;
    this.clearButton = button;
  };

  Ranking.prototype.enhanceItem = function (item) {
    var li = item.li;
    var badge = document.createElement("div");
    badge.className = "rank-badge";
    badge.setAttribute("aria-hidden", "true");
    var title = document.createElement("div");
    title.className = "rank-title";
    var tools = document.createElement("div");
    tools.className = "rank-tools";
    var up = this.button(gettext("Move up"), item, -1);
    var down = this.button(gettext("Move down"), item, 1);
    var tieLabel = document.createElement("label");
    var tie = document.createElement("input");
    tie.type = "checkbox";
    tie.addEventListener("change", function () {
      item.tied = tie.checked;
      this.changed(item, tie.checked ? "tied" : "untied");
    }.bind(this));
    tieLabel.appendChild(tie);
    tieLabel.appendChild(document.createTextNode(gettext("Tied with the option above")));
    tools.appendChild(up);
    tools.appendChild(down);
    tools.appendChild(tieLabel);
    li.insertBefore(tools, li.firstChild);
    li.insertBefore(title, tools);
    li.insertBefore(badge, title);
    item.badge = badge;
    item.title = title;
    item.up = up;
    item.down = down;
    item.tie = tie;
    this.enableDrag(item);
  };

  Ranking.prototype.button = function (text, item, step) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = text;
    button.addEventListener("click", function () {
      this.move(item, step);
      var same = step < 0 ? item.up : item.down;
      (same.disabled ? (step < 0 ? item.down : item.up) : same).focus();
    }.bind(this));
    return button;
  };

  Ranking.prototype.move = function (item, step) {
    var from = this.items.indexOf(item);
    var to = from + step;
    if (to < 0 || to >= this.items.length) {
      return;
    }
    this.items.splice(from, 1);
    this.items.splice(to, 0, item);
    this.changed(item, step < 0 ? "up" : "down");
  };

  Ranking.prototype.enableDrag = function (item) {
    var li = item.li;
    var self = this;
    li.setAttribute("draggable", "true");
    li.addEventListener("dragstart", function (event) {
      self.dragged = item;
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.label);
    });
    li.addEventListener("dragend", function () {
      li.classList.remove("dragging");
      self.items.forEach(function (other) { other.li.classList.remove("drop-target"); });
      self.dragged = null;
    });
    li.addEventListener("dragover", function (event) {
      if (self.dragged && self.dragged !== item) {
        event.preventDefault();
        li.classList.add("drop-target");
      }
    });
    li.addEventListener("dragleave", function () {
      li.classList.remove("drop-target");
    });
    li.addEventListener("drop", function (event) {
      event.preventDefault();
      li.classList.remove("drop-target");
      if (!self.dragged || self.dragged === item) {
        return;
      }
      var moving = self.dragged;
      var box = li.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      self.items.splice(self.items.indexOf(moving), 1);
      self.items.splice(self.items.indexOf(item) + (after ? 1 : 0), 0, moving);
      self.changed(moving, "moved");
    });
  };

  Ranking.prototype.changed = function (item, what) {
    this.included = true;
    this.render();
    this.say(changeMessage(what, { option: item.label, rank: item.rank, total: this.items.length }));
  };

  Ranking.prototype.render = function () {
    var rank = 0;
    this.items.forEach(function (item, index) {
      if (index === 0) {
        item.tied = false;
      }
      rank = item.tied ? rank : rank + 1;
      item.rank = rank;
      this.list.appendChild(item.li);
      item.select.value = this.included ? String(rank) : "";
      item.badge.textContent = this.included ? String(rank) : "–";
      if (this.included && item.tied) {
        var small = document.createElement("small");
        small.textContent = gettext("tied");
        item.badge.appendChild(small);
      }
      var values = { rank: rank, option: item.label };
      if (!this.included) {
        item.title.textContent = gettext("Not ranked: %(option)s", values);
      } else if (item.tied) {
        item.title.textContent = gettext("Rank %(rank)s (tied): %(option)s", values);
      } else {
        item.title.textContent = gettext("Rank %(rank)s: %(option)s", values);
      }
      item.up.disabled = index === 0;
      item.down.disabled = index === this.items.length - 1;
      item.tie.checked = item.tied;
      item.tie.disabled = index === 0;
    }, this);
    this.container.classList.toggle("not-included", !this.included);
    if (this.useOrder) {
      this.useOrder.hidden = this.included;
    }
  };

  Ranking.prototype.say = function (message) {
    this.status.textContent = message;
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-ranking]"), function (container) {
    return new Ranking(container);
  });
}());
