// Page glue of the editor feature, loaded on every page (small; the editor itself is
// vendor/editor.bundle.js, loaded by the editing pages only).
//
// 1. Drafts: the editor keeps unsaved text in localStorage ("commonwright:draft:<key>") and, when
//    its form is submitted, notes the draft prefix in sessionStorage ("commonwright:draft-pending").
//    The page that follows clears those drafts when it shows a success message (the save
//    worked) and keeps them otherwise (an error page, a conflict, a failed request).
// 2. Changes pages: switch between the side-by-side and the inline layout without reloading
//    (the links also work without JavaScript: ?view=split|inline) and remember the choice.
(function () {
  "use strict";

  var DRAFT_PREFIX = "commonwright:draft:";
  var PENDING_KEY = "commonwright:draft-pending";
  var LAYOUT_KEY = "commonwright:diff-layout";
  var PENDING_MAX_AGE = 30 * 60 * 1000;

  function store(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null;
    }
  }

  function settleDrafts() {
    var session = store("sessionStorage");
    var local = store("localStorage");
    if (!session || !local) return;
    var pending;
    try {
      pending = JSON.parse(session.getItem(PENDING_KEY) || "null");
    } catch (error) {
      pending = null;
    }
    if (!pending) return;
    session.removeItem(PENDING_KEY);
    var saved = document.querySelector(".flashes .flash-success");
    var prefix = String(pending.prefix || "");
    if (!saved || prefix.indexOf(DRAFT_PREFIX) !== 0 || Date.now() - pending.at > PENDING_MAX_AGE) return;
    var doomed = [];
    for (var i = 0; i < local.length; i++) {
      var key = local.key(i);
      if (key && key.indexOf(prefix) === 0) doomed.push(key);
    }
    doomed.forEach(function (key) {
      local.removeItem(key);
    });
  }

  function diffLayouts() {
    var box = document.querySelector("[data-diff-layouts]");
    if (!box) return;
    var links = box.querySelectorAll("a[data-layout]");
    var input = document.querySelector("[data-diff-layout-input]");
    var local = store("localStorage");

    // The layout not shown waits in an inert <template>; the shown one is a <div>.
    function swap(panel, tag) {
      var next = document.createElement(tag);
      next.className = panel.className;
      next.setAttribute("data-layout-panel", panel.getAttribute("data-layout-panel"));
      if (tag === "div") next.appendChild(panel.content.cloneNode(true));
      else while (panel.firstChild) next.content.appendChild(panel.firstChild);
      panel.parentNode.replaceChild(next, panel);
    }

    function show(layout, remember) {
      var panels = box.querySelectorAll("[data-layout-panel]");
      Array.prototype.forEach.call(panels, function (panel) {
        var wanted = panel.getAttribute("data-layout-panel") === layout;
        var inert = panel.tagName === "TEMPLATE";
        if (wanted && inert) swap(panel, "div");
        else if (!wanted && !inert) swap(panel, "template");
      });
      Array.prototype.forEach.call(links, function (link) {
        if (link.getAttribute("data-layout") === layout) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
      if (input) input.value = layout;
      if (remember) {
        try {
          if (local) local.setItem(LAYOUT_KEY, layout);
        } catch (error) {
          /* not kept: fine */
        }
        if (window.history && window.history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set("view", layout);
          window.history.replaceState(window.history.state, "", url.toString());
        }
      }
    }

    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        show(link.getAttribute("data-layout"), true);
      });
    });
    // No layout in the address: use the one chosen last time.
    if (!new URLSearchParams(window.location.search).has("view") && local) {
      var preferred = null;
      try {
        preferred = local.getItem(LAYOUT_KEY);
      } catch (error) {
        preferred = null;
      }
      if (preferred === "split" || preferred === "inline") show(preferred, false);
    }
  }

  function start() {
    settleDrafts();
    diffLayouts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
