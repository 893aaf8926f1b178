/* Commonwright reading view: choose lines from the gutter (mouse, touch or keyboard), comment
   on them and read their threads in a side panel (a bottom sheet on narrow screens).
   The gutter is one tab stop (roving tabindex): a paragraph's range button ("3–5") and each of
   its lines' numbers ("3", "4", "5"); Up/Down move between paragraphs or between lines, Right
   enters a paragraph's lines, Left leaves them, Home/End jump, Shift extends the selection.
   Progressive enhancement: every link and form also works without this script; the panel
   shows the same server-rendered pages, asked for with partial=1. */
(function () {
  "use strict";

  var reader = document.getElementById("reader");
  if (!reader || !window.fetch || !window.DOMParser) {
    return;
  }
  var doc = reader.querySelector(".document");
  var toolbar = reader.querySelector(".selection-toolbar");
  var panel = document.getElementById("comment-panel");
  var panelBody = document.getElementById("comment-panel-body");
  var live = document.getElementById("comment-live");
  var linesTemplate = reader.getAttribute("data-lines-url");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var state = { anchor: null, start: null, end: null, extending: false, trigger: null, ticket: 0, shown: null };
  var narrow = window.matchMedia("(max-width: 40rem)"); // the panel is a bottom sheet

  var i18n = window.cwI18n || {
    gettext: function (message, values) {
      return message.replace(/%\((\w+)\)s/g, function (match, name) {
        return values && name in values ? String(values[name]) : match;
      });
    },
    ngettext: function (singular, plural, n, values) {
      return i18n.gettext(n === 1 ? singular : plural, Object.assign({ num: n }, values || {}));
    }
  };
  var gettext = i18n.gettext;
  var ngettext = i18n.ngettext;

  // ---------------------------------------------------------------- helpers

  function fill(template, start, end) {
    return template.split("{start}").join(String(start)).split("{end}").join(String(end));
  }

  /* "line 3" or "lines 3–5", inside a sentence. */
  function rangeText(start, end) {
    return start === end ? gettext("line %(line)s", { line: start }) :
      gettext("lines %(start)s–%(end)s", { start: start, end: end });
  }

  /* "Lines 3–5 selected" (the toolbar), or with a full stop (announced). */
  function selectedText(start, end, sentence) {
    if (start === end) {
      return sentence ? gettext("line %(line)s selected.", { line: start }) : gettext("Line %(line)s selected", { line: start });
    }
    var values = { start: start, end: end };
    return sentence ? gettext("lines %(start)s–%(end)s selected.", values) : gettext("Lines %(start)s–%(end)s selected", values);
  }

  function blockRange(block) {
    return [Number(block.getAttribute("data-line-start")), Number(block.getAttribute("data-line-end"))];
  }

  function allBlocks() {
    return Array.prototype.slice.call(doc.querySelectorAll(".line-block"));
  }

  function gutterOf(block) {
    return block.querySelector(".gutter");
  }

  function linesOf(block) {
    return Array.prototype.slice.call(block.querySelectorAll("button.line-no"));
  }

  function lineNumber(button) {
    return Number(button.closest("[data-line]").getAttribute("data-line"));
  }

  /* The lines a gutter control stands for: a paragraph's range, or one line. */
  function controlRange(control) {
    if (control.classList.contains("line-no")) {
      var line = lineNumber(control);
      return [line, line];
    }
    return blockRange(control.closest(".line-block"));
  }

  /* One control per line, in text order: the line numbers, or the range button of a block of
     one line. */
  function lineSequence() {
    var sequence = [];
    allBlocks().forEach(function (block) {
      var lines = linesOf(block);
      if (lines.length) {
        sequence.push.apply(sequence, lines);
      } else {
        sequence.push(gutterOf(block));
      }
    });
    return sequence;
  }

  function allControls() {
    return Array.prototype.slice.call(doc.querySelectorAll("button.gutter, button.line-no"));
  }

  /* Roving tabindex: the gutter is one tab stop, the control last used. */
  function makeCurrent(control) {
    allControls().forEach(function (other) {
      other.tabIndex = other === control ? 0 : -1;
    });
  }

  function focusControl(control) {
    makeCurrent(control);
    control.focus();
  }

  function announce(text) {
    if (!text) {
      return;
    }
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 60);
  }

  function withPartial(url) {
    var parsed = new URL(url, window.location.href);
    parsed.searchParams.set("partial", "1");
    return parsed.pathname + parsed.search;
  }

  // ---------------------------------------------------------- the gutter

  /* "Line 3" or "Lines 3–5", then the count: the name holds the visible text ("3–5" and the
     count beside it), so people using speech input can say what they see (WCAG 2.5.3). */
  function gutterLabel(block, count) {
    var range = blockRange(block);
    if (range[0] === range[1]) {
      return count ? ngettext("Line %(line)s: %(num)s comment", "Line %(line)s: %(num)s comments", count, { line: range[0] }) :
        gettext("Line %(line)s", { line: range[0] });
    }
    var values = { start: range[0], end: range[1] };
    return count ? ngettext("Lines %(start)s–%(end)s: %(num)s comment", "Lines %(start)s–%(end)s: %(num)s comments", count, values) :
      gettext("Lines %(start)s–%(end)s", values);
  }

  function describedBy(button, extra) {
    var ids = [extra, "gutter-keys"].filter(Boolean);
    button.setAttribute("aria-describedby", ids.join(" "));
  }

  /* A line's number: "9" on screen, named "Line 9" or "Line 9: 2 comment threads", and the
     count as a badge after it (aria-hidden: the name says it), as the server writes them. */
  function fillLineLabel(button, line, threads) {
    button.replaceChildren(document.createTextNode(String(line)));
    button.setAttribute("data-threads", String(threads));
    button.setAttribute("aria-label", threads ?
      ngettext("Line %(line)s: %(num)s comment thread", "Line %(line)s: %(num)s comment threads", threads, { line: line }) :
      gettext("Line %(line)s", { line: line }));
    var badge = button.nextElementSibling;
    if (badge && !badge.classList.contains("line-count")) {
      badge = null;
    }
    if (!threads) {
      if (badge) {
        badge.parentNode.removeChild(badge);
      }
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "line-count";
      badge.setAttribute("aria-hidden", "true");
      button.parentNode.insertBefore(badge, button.nextSibling);
    }
    badge.textContent = String(threads);
  }

  /* Each line number link becomes a toggle button that selects its line. */
  function enhanceLine(link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "line-no";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", "comment-panel");
    button.setAttribute("data-href", link.getAttribute("href"));
    var badge = link.nextElementSibling;
    var threads = badge && badge.classList.contains("line-count") ? Number(badge.textContent) : 0;
    describedBy(button);
    button.tabIndex = -1;
    var line = lineNumber(link);
    link.parentNode.replaceChild(button, link);
    fillLineLabel(button, line, threads);
  }

  /* Each gutter link becomes a toggle button that selects its block. */
  function enhanceGutter(link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    describedBy(button, link.getAttribute("aria-describedby"));
    button.setAttribute("data-threads", link.getAttribute("data-threads") || "0");
    button.tabIndex = -1;
    button.setAttribute("aria-label", gutterLabel(link.closest(".line-block"), Number(link.getAttribute("data-comments") || 0)));
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", "comment-panel");
    button.setAttribute("data-href", link.getAttribute("href"));
    button.setAttribute("data-comments", link.getAttribute("data-comments") || "0");
    while (link.firstChild) {
      button.appendChild(link.firstChild);
    }
    var badge = button.querySelector(".comment-count");
    if (badge) {
      button.insertBefore(document.createTextNode(" "), badge); // "3–5 2", not "3–52"
    }
    link.parentNode.replaceChild(button, link);
  }

  function setCount(block, count, open) {
    var gutter = gutterOf(block);
    var badge = gutter.querySelector(".comment-count");
    gutter.setAttribute("data-comments", String(count));
    gutter.setAttribute("aria-label", gutterLabel(block, count));
    block.classList.toggle("has-comments", count > 0);
    if (!count) {
      if (badge) {
        badge.parentNode.removeChild(badge);
      }
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "comment-count";
      badge.setAttribute("aria-hidden", "true");
      gutter.appendChild(document.createTextNode(" "));
      gutter.appendChild(badge);
    }
    badge.textContent = String(count);
    badge.classList.toggle("all-resolved", !open);
  }

  /* data-counts="start:comments:open,…" lists every block that has comments. */
  function updateCounts(spec) {
    var counts = {};
    spec.split(",").forEach(function (item) {
      var parts = item.split(":");
      if (parts.length === 3) {
        counts[parts[0]] = [Number(parts[1]), Number(parts[2])];
      }
    });
    allBlocks().forEach(function (block) {
      var entry = counts[block.getAttribute("data-line-start")] || [0, 0];
      setCount(block, entry[0], entry[1] > 0);
    });
  }

  function threadsText(count) {
    return ngettext("%(num)s comment thread", "%(num)s comment threads", count);
  }

  /* "2 comment threads on lines 3–5": what the block's badge counts, read after its name. */
  function setBlockThreads(block, threads) {
    var gutter = gutterOf(block);
    var range = blockRange(block);
    var id = "T" + range[0];
    var note = document.getElementById(id);
    gutter.setAttribute("data-threads", String(threads));
    if (!threads) {
      if (note) {
        note.parentNode.removeChild(note);
      }
      describedBy(gutter);
      return;
    }
    if (!note) {
      note = document.createElement("span");
      note.className = "visually-hidden";
      note.id = id;
      gutter.parentNode.insertBefore(note, gutter.nextSibling);
    }
    note.textContent = range[0] === range[1] ?
      ngettext("%(num)s comment thread on line %(line)s", "%(num)s comment threads on line %(line)s", threads, { line: range[0] }) :
      ngettext("%(num)s comment thread on lines %(start)s–%(end)s", "%(num)s comment threads on lines %(start)s–%(end)s", threads,
        { start: range[0], end: range[1] });
    describedBy(gutter, id);
    var badge = gutter.querySelector(".comment-count");
    if (badge) {
      var comments = Number(gutter.getAttribute("data-comments") || 0);
      /* TRANSLATORS: "5 comments in 2 comment threads on lines 3–5" */
      badge.setAttribute("title", ngettext("%(num)s comment in %(threads)s", "%(num)s comments in %(threads)s", comments,
        { threads: note.textContent }));
    }
  }

  function parsePairs(spec) {
    var pairs = {};
    (spec || "").split(",").forEach(function (item) {
      var parts = item.split(":");
      if (parts.length === 2) {
        pairs[parts[0]] = Number(parts[1]);
      }
    });
    return pairs;
  }

  /* data-block-threads, data-lines and data-total of a panel page: the threads per block and
     per line, and "N comment threads beside the text". */
  function updateThreads(root) {
    if (root.hasAttribute("data-block-threads")) {
      var blocks = parsePairs(root.getAttribute("data-block-threads"));
      allBlocks().forEach(function (block) {
        setBlockThreads(block, blocks[block.getAttribute("data-line-start")] || 0);
      });
    }
    if (root.hasAttribute("data-lines")) {
      var lines = parsePairs(root.getAttribute("data-lines"));
      Array.prototype.forEach.call(doc.querySelectorAll("button.line-no"), function (button) {
        var line = lineNumber(button);
        var count = lines[String(line)] || 0;
        if (Number(button.getAttribute("data-threads")) !== count) {
          fillLineLabel(button, line, count);
        }
      });
    }
    var total = root.getAttribute("data-total");
    if (total !== null) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-thread-total]"), function (node) {
        node.textContent = threadsText(Number(total));
      });
    }
  }

  // ----------------------------------------------------------- selection

  function select(start, end) {
    state.start = start;
    state.end = end;
    allBlocks().forEach(function (block) {
      var range = blockRange(block);
      var inside = range[0] >= start && range[1] <= end;
      block.classList.toggle("selected", inside);
      gutterOf(block).setAttribute("aria-pressed", inside ? "true" : "false");
    });
    Array.prototype.forEach.call(doc.querySelectorAll(".line[data-line]"), function (line) {
      var number = Number(line.getAttribute("data-line"));
      line.classList.toggle("selected", number >= start && number <= end);
    });
    Array.prototype.forEach.call(doc.querySelectorAll("button.line-no"), function (button) {
      var number = lineNumber(button);
      button.setAttribute("aria-pressed", number >= start && number <= end ? "true" : "false");
    });
    updateToolbar();
  }

  function selectRange(range) {
    state.anchor = range;
    select(range[0], range[1]);
  }

  function extendTo(range) {
    if (!state.anchor) {
      selectRange(range);
      return;
    }
    select(Math.min(state.anchor[0], range[0]), Math.max(state.anchor[1], range[1]));
  }

  function clearSelection() {
    state.anchor = state.start = state.end = null;
    allBlocks().forEach(function (block) {
      block.classList.remove("selected");
      gutterOf(block).setAttribute("aria-pressed", "false");
    });
    Array.prototype.forEach.call(doc.querySelectorAll(".line.selected"), function (line) {
      line.classList.remove("selected");
    });
    Array.prototype.forEach.call(doc.querySelectorAll("button.line-no"), function (button) {
      button.setAttribute("aria-pressed", "false");
    });
    setExtending(false);
    toolbar.hidden = true;
  }

  function setExtending(on) {
    state.extending = on;
    var button = toolbar.querySelector('[data-action="extend"]');
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  function updateToolbar() {
    var text = rangeText(state.start, state.end);
    toolbar.hidden = false;
    toolbar.querySelector("[data-selection-label]").textContent = selectedText(state.start, state.end, false);
    Array.prototype.forEach.call(toolbar.querySelectorAll("[data-range-label]"), function (node) {
      node.textContent = text;
    });
    Array.prototype.forEach.call(toolbar.querySelectorAll("[data-href-template]"), function (link) {
      link.setAttribute("href", fill(link.getAttribute("data-href-template"), state.start, state.end));
    });
  }

  function linesUrl() {
    return fill(linesTemplate, state.start, state.end);
  }

  function activate(control, extend) {
    var range = controlRange(control);
    if (extend || state.extending) {
      extendTo(range);
    } else {
      selectRange(range);
    }
    makeCurrent(control);
    announce(selectedText(state.start, state.end, true));
    openPanel(control, linesUrl());
    if (narrow.matches) {
      (control.closest(".line") || control.closest(".line-block")).scrollIntoView({ block: "start" });
    }
  }

  /* Move to another control of the gutter; with Shift, extend the selection to it. */
  function moveTo(target, extend) {
    if (!target) {
      return;
    }
    focusControl(target);
    if (extend) {
      extendTo(controlRange(target));
      announce(selectedText(state.start, state.end, true));
    }
  }

  function neighbour(list, item, step) {
    var index = list.indexOf(item);
    return index < 0 ? null : list[index + step] || null;
  }

  /* Where an arrow key goes from `control`: between range buttons, or between lines. */
  function targetOf(control, key) {
    var isLine = control.classList.contains("line-no");
    var list = isLine ? lineSequence() : allBlocks().map(gutterOf);
    if (key === "ArrowDown" || key === "ArrowUp") {
      return neighbour(list, control, key === "ArrowDown" ? 1 : -1);
    }
    if (key === "Home" || key === "End") {
      return list[key === "Home" ? 0 : list.length - 1];
    }
    if (key === "ArrowRight" && !isLine) {
      return linesOf(control.closest(".line-block"))[0] || null;
    }
    if (key === "ArrowLeft" && isLine) {
      return gutterOf(control.closest(".line-block"));
    }
    return null;
  }

  var MOVES = ["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Home", "End"];

  doc.addEventListener("click", function (event) {
    var control = event.target.closest("button.gutter, button.line-no");
    if (control) {
      event.preventDefault();
      activate(control, event.shiftKey);
    }
  });

  doc.addEventListener("keydown", function (event) {
    var control = event.target.closest && event.target.closest("button.gutter, button.line-no");
    if (!control) {
      return;
    }
    if (event.key === "Enter" && event.shiftKey) {
      event.preventDefault();
      activate(control, true);
    } else if (MOVES.indexOf(event.key) >= 0) {
      event.preventDefault();
      moveTo(targetOf(control, event.key), event.shiftKey && event.key !== "ArrowLeft" && event.key !== "ArrowRight");
    } else if (event.key === "Escape") {
      clearSelection();
      closePanel();
    }
  });

  doc.addEventListener("focusin", function (event) {
    var control = event.target.closest && event.target.closest("button.gutter, button.line-no");
    if (control && control.tabIndex !== 0) {
      makeCurrent(control);
    }
  });

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) {
      return;
    }
    var action = button.getAttribute("data-action");
    if (action === "comment") {
      openPanel(button, linesUrl(), "#p-new-body");
    } else if (action === "show") {
      openPanel(button, linesUrl());
    } else if (action === "extend") {
      setExtending(!state.extending);
      announce(state.extending ? gettext("Range selection on: choose the last line of the range.") : gettext("Range selection off."));
    } else if (action === "clear") {
      clearSelection();
      announce(gettext("Selection cleared."));
      var first = doc.querySelector('button.gutter[tabindex="0"], button.line-no[tabindex="0"]') ||
        doc.querySelector("button.gutter");
      if (first) {
        focusControl(first);
      }
    }
  });

  // --------------------------------------------------------------- panel

  function openPanel(trigger, url, focusSelector) {
    state.trigger = trigger;
    var showing = !panel.hidden && state.shown === withPartial(url);
    panel.hidden = false;
    reader.classList.add("panel-open");
    if (showing) {
      // Already on screen (maybe with text being written): just move to it.
      focusIn(panelBody, focusSelector);
      return;
    }
    load(url, focusSelector);
  }

  function closePanel() {
    if (panel.hidden) {
      return;
    }
    panel.hidden = true;
    reader.classList.remove("panel-open");
    if (state.trigger && document.body.contains(state.trigger)) {
      state.trigger.focus();
    }
  }

  /* Only the newest request may fill the panel: quick clicks never show a stale answer. */
  function request(url, options) {
    var ticket = ++state.ticket;
    panel.setAttribute("aria-busy", "true");
    options = options || {};
    options.credentials = "same-origin";
    options.headers = options.headers || {};
    return fetch(withPartial(url), options)
      .then(function (response) {
        return response.text().then(function (html) {
          return { response: response, html: html };
        });
      })
      .catch(function () {
        return { response: null, html: "" };
      })
      .then(function (result) {
        if (ticket !== state.ticket) {
          return new Promise(function () {}); // superseded: never settles, never shown
        }
        panel.removeAttribute("aria-busy");
        return result;
      });
  }

  function load(url, focusSelector) {
    return request(url).then(function (result) {
      show(result, focusSelector);
    });
  }

  function errorText(result) {
    if (!result.response) {
      return gettext("The server could not be reached. Check your connection and try again.");
    }
    var parsed = new DOMParser().parseFromString(result.html, "text/html");
    var heading = parsed.querySelector("main h1");
    var detail = parsed.querySelector("main .panel p");
    var text = detail ? detail.textContent : gettext("Something went wrong.");
    /* TRANSLATORS: an error page's title and its explanation, e.g. "Too many requests: Try again in a minute." */
    return heading ? gettext("%(title)s: %(detail)s", { title: heading.textContent, detail: text }) : text;
  }

  function panelRoot(result) {
    if (!result.response) {
      return null;
    }
    return new DOMParser().parseFromString(result.html, "text/html").querySelector("[data-panel-root]");
  }

  /* Replace the panel with an error message (a page could not be loaded). */
  function showError(text) {
    var message = document.createElement("p");
    message.className = "error";
    message.setAttribute("tabindex", "-1");
    message.textContent = text;
    panelBody.replaceChildren(message);
    message.focus();
    announce(text);
  }

  /* Keep what the person wrote and say why it was not sent (refused, rate limited, offline). */
  function showFormError(form, text) {
    var message = form.querySelector(".send-error");
    if (!message) {
      message = document.createElement("p");
      message.className = "error send-error";
      message.setAttribute("role", "alert");
      form.insertBefore(message, form.firstChild);
    }
    message.textContent = text;
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = false;
    });
  }

  function show(result, focusSelector) {
    var root = panelRoot(result);
    if (!root) {
      showError(errorText(result));
      return;
    }
    var content = document.importNode(root, true);
    panelBody.replaceChildren(content);
    state.shown = withPartial(result.response.url);
    if (root.hasAttribute("data-counts")) {
      updateCounts(root.getAttribute("data-counts"));
    }
    updateThreads(root);
    announce(root.getAttribute("data-announce"));
    focusIn(content, focusSelector);
  }

  function focusIn(content, focusSelector) {
    var target =
      content.querySelector("[data-error-summary]") ||
      content.querySelector('[aria-invalid="true"]') ||
      (focusSelector && content.querySelector(focusSelector)) ||
      content.querySelector(".panel-title");
    if (target) {
      target.focus();
    }
    if (content.querySelector("[data-error-summary], [aria-invalid='true']")) {
      announce(gettext("Please correct the form."));
    }
  }

  function submit(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() === "get") {
      var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
      new FormData(form).forEach(function (value, name) {
        url.searchParams.set(name, value);
      });
      return load(url.pathname + url.search);
    }
    var data = new FormData(form);
    data.set("partial", "1");
    var headers = {};
    if (csrfMeta) {
      headers["X-CSRFToken"] = csrfMeta.getAttribute("content");
    }
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = true;
    });
    return request(form.getAttribute("action"), { method: "POST", body: data, headers: headers }).then(function (result) {
      if (panelRoot(result)) {
        show(result);
      } else {
        showFormError(form, errorText(result));
      }
    });
  }

  panelBody.addEventListener("submit", function (event) {
    event.preventDefault();
    submit(event.target);
  });

  panelBody.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-panel-link]");
    if (link) {
      event.preventDefault();
      load(link.getAttribute("href"), "textarea");
    }
  });

  panel.addEventListener("click", function (event) {
    if (event.target.closest('[data-action="close-panel"]')) {
      closePanel();
    }
  });

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
    }
  });

  /* Links elsewhere on the page (the earlier-wording list) that open a thread in the panel. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-panel-open]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      openPanel(link, link.getAttribute("href"));
    }
  });

  // ---------------------------------------------------------------- start

  function addKeyHelp() {
    var help = document.createElement("span");
    help.id = "gutter-keys";
    help.className = "visually-hidden";
    help.textContent = gettext("Up and Down arrows move between paragraphs, or between lines once Right arrow has " +
      "entered a paragraph's line numbers; Left arrow goes back; Shift with an arrow extends the selection.");
    reader.appendChild(help);
  }

  addKeyHelp();
  Array.prototype.forEach.call(doc.querySelectorAll("a.gutter"), enhanceGutter);
  Array.prototype.forEach.call(doc.querySelectorAll("a.line-no"), enhanceLine);
  var firstControl = doc.querySelector("button.gutter, button.line-no");
  if (firstControl) {
    makeCurrent(firstControl);
  }
})();
