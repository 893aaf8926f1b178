/* Commonwright form drafts: comment, reply and amendment forms keep what is typed in this
   browser until it is posted, and a text over its size limit is caught before it is sent.

   A form takes part with data-draft="<scope>" (what it is a draft of: "lines 3-5", "reply"…)
   and data-draft-user="<id>"; its key is
       commonwright:draft:form/<user>/<action path>#<scope>
   (the editor's own drafts, frontend/src/drafts.js, live under commonwright:draft:policy/…).
   A field with data-size-limit="<bytes>" and data-size-name="comment" is measured in UTF-8 bytes.

   Forms inserted later (the reading view's side panel, filled by reader.js with fetch) are found
   by a MutationObserver; every listener is delegated on the window, so no form is missed.

   A draft is cleared only when its post succeeded, that is when the server answered it with a
   redirect to a page that says so (Post/Redirect/Get):
   - a normal submission: sessionStorage notes the form ("commonwright:form-draft-pending"); the
     next page clears the draft when it was reached by a redirect and shows a success message;
   - a submission sent with fetch (the panel): the answer to a POST to the form's action is
     watched; a redirected answer that is a panel page clears it. Anything else (a refused form,
     413, 429, no connection) keeps it, and a form the server sends back with messages is saved
     as it is shown. */
(function () {
  "use strict";

  var i18n = window.cwI18n;
  var gettext = i18n ? i18n.gettext : function (message, values) {
    return message.replace(/%\((\w+)\)s/g, function (match, name) {
      return values && name in values ? String(values[name]) : match;
    });
  };
  var lang = (i18n && i18n.lang) || document.documentElement.getAttribute("lang") || undefined;

  var PREFIX = "commonwright:draft:form/";
  var PENDING_KEY = "commonwright:form-draft-pending";
  var PENDING_MAX_AGE = 10 * 60 * 1000;
  var DRAFT_MAX_AGE = 30 * 24 * 60 * 60 * 1000;
  var SAVE_DELAY = 300;
  var SKIPPED_TYPES = { hidden: 1, submit: 1, button: 1, reset: 1, file: 1, password: 1, image: 1 };

  function store(kind) {
    try {
      var s = window[kind];
      s.setItem("commonwright:probe", "1");
      s.removeItem("commonwright:probe");
      return s;
    } catch (error) {
      return null; // disabled, full or private mode: drafts are simply not kept
    }
  }

  var local = store("localStorage");
  var session = store("sessionStorage");
  var forms = []; // the enhanced forms, with their state
  var lastSubmit = null; // {key, action, at} of the form being sent with fetch

  // --------------------------------------------------------------- keys and values

  function actionPath(form) {
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return url.pathname;
  }

  function keyOf(form) {
    return PREFIX + (form.getAttribute("data-draft-user") || "anonymous") + "/" + actionPath(form) +
      "#" + form.getAttribute("data-draft");
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && !SKIPPED_TYPES[el.type] && !el.disabled;
    });
  }

  function valuesOf(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked ? "1" : "";
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function setValues(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (!(el.name in values)) return;
      if (el.type === "radio") el.checked = el.value === values[el.name];
      else if (el.type === "checkbox") el.checked = values[el.name] === "1";
      else el.value = values[el.name];
    });
    // Let the form's own scripts (the amendment preview) see the change.
    var first = fieldsOf(form)[0];
    if (first) {
      first.dispatchEvent(new Event("input", { bubbles: true }));
    }
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio" && el.checked) el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function load(key) {
    if (!local) return null;
    try {
      var draft = JSON.parse(local.getItem(key) || "null");
      return draft && draft.values && typeof draft.values === "object" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function revisionOf(form) {
    var input = form.querySelector('input[name="revision"]');
    return input ? input.value : null;
  }

  function saveNow(entry) {
    window.clearTimeout(entry.timer);
    entry.timer = null;
    if (!local) return;
    // Only what was typed: fields the page filled in (line numbers that may have moved since)
    // are left as the server shows them next time.
    var values = valuesOf(entry.form);
    var typed = {};
    Object.keys(values).forEach(function (name) {
      if (entry.keepAlways || values[name] !== (entry.baseline[name] || "")) typed[name] = values[name];
    });
    if (!Object.keys(typed).length) {
      local.removeItem(entry.key); // nothing typed (or typed and removed again)
      return;
    }
    try {
      local.setItem(entry.key, JSON.stringify({ values: typed, savedAt: Date.now(), revision: revisionOf(entry.form) }));
    } catch (error) {
      /* storage full: nothing more to do */
    }
  }

  function entryOf(form) {
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].form === form) return forms[i];
    }
    return null;
  }

  // ---------------------------------------------------------------- the note

  /* "Draft restored: what you typed here today at 14:05 …" in the page's language. */
  function restoredText(timestamp) {
    var date = new Date(timestamp);
    var time = date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    if (new Date().toDateString() === date.toDateString()) {
      return gettext("Draft restored: what you typed here today at %(time)s was kept in this browser until it is posted.",
        { time: time });
    }
    return gettext("Draft restored: what you typed here %(date)s at %(time)s was kept in this browser until it is posted.",
      { date: date.toLocaleDateString(lang), time: time });
  }

  function noteOf(entry) {
    var note = entry.form.querySelector(".draft-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "draft-note";
      note.setAttribute("role", "status");
      var summary = entry.form.querySelector("[data-error-summary], .error-summary");
      entry.form.insertBefore(note, summary ? summary.nextSibling : entry.form.firstChild);
    }
    return note;
  }

  function showRestored(entry, draft) {
    var note = noteOf(entry);
    var since = draft.revision && revisionOf(entry.form) && draft.revision !== revisionOf(entry.form)
      ? " " + gettext("It was written on revision %(revision)s: check it against the current text.", { revision: draft.revision })
      : "";
    // Filled after it is in the page, so that screen readers announce it.
    window.setTimeout(function () {
      var text = document.createElement("p");
      text.textContent = restoredText(draft.savedAt) + since + " ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button small";
      discard.setAttribute("data-draft-discard", "");
      discard.textContent = gettext("Discard draft");
      text.appendChild(discard);
      note.replaceChildren(text);
    }, 50);
  }

  function discard(entry) {
    if (local) local.removeItem(entry.key);
    entry.keepAlways = false;
    setValues(entry.form, entry.baseline);
    if (local) local.removeItem(entry.key); // the input event above may have saved it again
    var note = noteOf(entry);
    var text = document.createElement("p");
    text.textContent = gettext("Draft discarded.");
    note.replaceChildren(text);
    var field = entry.form.querySelector("textarea") || fieldsOf(entry.form)[0];
    if (field) field.focus();
  }

  // ---------------------------------------------------------------- size limits

  function byteLength(text) {
    return new TextEncoder().encode(text).length;
  }

  function decimal(value) {
    var rounded = Number(value.toFixed(1));
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 1, useGrouping: false }).format(rounded);
    } catch (error) {
      return String(rounded);
    }
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return gettext("%(size)s MB", { size: decimal(bytes / (1024 * 1024)) });
    return gettext("%(size)s KB", { size: decimal(bytes / 1024) });
  }

  /* The whole sentence for a field over its limit; data-size-name says what the text is. */
  function sizeMessage(field, size, limit) {
    var values = { size: sizeText(size), limit: sizeText(limit) };
    var kind = field.getAttribute("data-size-name");
    if (kind === "comment") {
      return gettext("This comment is %(size)s; the limit is %(limit)s. Shorten it or split it into several comments before sending.", values);
    }
    if (kind === "new text") {
      return gettext("This new text is %(size)s; the limit is %(limit)s. Shorten it before sending.", values);
    }
    return gettext("This text is %(size)s; the limit is %(limit)s. Shorten it or split it into several comments before sending.", values);
  }

  /* The message about a field over its limit, shown under it; null when within. */
  function checkSize(field) {
    var limit = Number(field.getAttribute("data-size-limit"));
    if (!limit) return null;
    var size = byteLength(field.value);
    var id = (field.id || field.name) + "-size";
    var message = document.getElementById(id);
    if (size <= limit) {
      if (message) {
        message.parentNode.removeChild(message);
        field.removeAttribute("aria-invalid");
        describe(field, id, false);
      }
      return null;
    }
    var words = sizeMessage(field, size, limit);
    if (!message) {
      message = document.createElement("p");
      message.className = "error size-error";
      message.id = id;
      message.setAttribute("aria-live", "polite");
      field.parentNode.insertBefore(message, field.nextSibling);
      describe(field, id, true);
    }
    field.setAttribute("aria-invalid", "true");
    if (message.textContent !== words) message.textContent = words;
    return message;
  }

  function describe(field, id, on) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
    else field.removeAttribute("aria-describedby");
  }

  function oversized(form) {
    var found = null;
    Array.prototype.forEach.call(form.querySelectorAll("[data-size-limit]"), function (field) {
      if (checkSize(field) && !found) found = field;
    });
    return found;
  }

  // ---------------------------------------------------------------- enhancing forms

  function hasServerMessages(form) {
    return Boolean(form.querySelector("[data-error-summary], .error-summary, [aria-invalid='true']")) ||
      Boolean(form.id === "amend-form" && document.querySelector(".conflict-box"));
  }

  function enhance(form, answered) {
    if (entryOf(form)) return;
    var entry = { form: form, key: keyOf(form), baseline: valuesOf(form), timer: null, keepAlways: false };
    forms.push(entry);
    var draft = load(entry.key);
    if (answered === entry.key || hasServerMessages(form)) {
      // The server sent the form back (refused, or "Load these lines"): what it shows is what was
      // sent, so it is the draft now, until it is posted.
      entry.keepAlways = true;
      saveNow(entry);
    } else if (draft && Object.keys(draft.values).some(function (name) {
      return draft.values[name] !== (entry.baseline[name] || "");
    })) {
      setValues(form, draft.values);
      showRestored(entry, draft);
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-size-limit]"), checkSize);
  }

  function enhanceWithin(node, answered) {
    if (!node || node.nodeType !== 1) return;
    if (node.matches("form[data-draft]")) enhance(node, answered);
    Array.prototype.forEach.call(node.querySelectorAll("form[data-draft]"), function (form) {
      enhance(form, answered);
    });
  }

  function forget(node) {
    forms = forms.filter(function (entry) {
      if (node === entry.form || (node.contains && node.contains(entry.form))) {
        if (entry.timer) saveNow(entry); // a panel replaced while typing: keep the last words
        return false;
      }
      return true;
    });
  }

  // ---------------------------------------------------------------- success and failure

  function clearDraft(key) {
    if (!local) return;
    local.removeItem(key);
    forms.forEach(function (entry) {
      if (entry.key === key) {
        window.clearTimeout(entry.timer);
        entry.timer = null;
        entry.keepAlways = false;
      }
    });
  }

  /* The page that answered a normal submission: the key whose form the server sent back (to
     keep as is), or null. Clears the draft when the post succeeded. */
  function settlePending() {
    if (!session) return null;
    var pending;
    try {
      pending = JSON.parse(session.getItem(PENDING_KEY) || "null");
    } catch (error) {
      pending = null;
    }
    session.removeItem(PENDING_KEY);
    if (!pending || typeof pending.key !== "string" || pending.key.indexOf(PREFIX) !== 0 ||
        Date.now() - pending.at > PENDING_MAX_AGE) {
      return null;
    }
    var navigation = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var answered = !navigation || navigation.type === "navigate";
    if (!answered) return null; // back, forward or reload: not the answer to the post
    var redirected = !navigation || navigation.redirectCount > 0;
    if (redirected && document.querySelector(".flashes .flash-success")) {
      clearDraft(pending.key);
      return null;
    }
    return pending.key;
  }

  /* Answers to a form sent with fetch (reader.js): cleared when redirected to a panel page. */
  function watchFetch() {
    var realFetch = window.fetch;
    if (!realFetch) return;
    window.fetch = function (input, init) {
      var promise = realFetch.apply(this, arguments);
      var watched = lastSubmit;
      var method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
      var url = typeof input === "string" ? input : input && input.url;
      if (!watched || method !== "POST" || Date.now() - watched.at > 5000 ||
          new URL(url, window.location.href).pathname !== watched.action) {
        return promise;
      }
      lastSubmit = null;
      promise.then(function (response) {
        if (!response.ok || !response.redirected) return;
        var kept = local ? local.getItem(watched.key) : null;
        clearDraft(watched.key); // at once, before the panel shows the next (empty) form
        response.clone().text().then(function (html) {
          if (html.indexOf("data-panel-root") < 0 && kept && local) {
            local.setItem(watched.key, kept); // redirected elsewhere (signed out): not posted
          }
        }, function () {});
      }, function () {});
      return promise;
    };
  }

  // ---------------------------------------------------------------- events

  window.addEventListener("input", function (event) {
    var form = event.target.form;
    var entry = form && entryOf(form);
    if (!entry) {
      if (event.target.hasAttribute && event.target.hasAttribute("data-size-limit")) checkSize(event.target);
      return;
    }
    if (event.target.hasAttribute("data-size-limit")) checkSize(event.target);
    window.clearTimeout(entry.timer);
    entry.timer = window.setTimeout(function () {
      saveNow(entry);
    }, SAVE_DELAY);
  }, true);

  window.addEventListener("change", function (event) {
    var entry = event.target.form && entryOf(event.target.form);
    if (entry) saveNow(entry);
  }, true);

  window.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-draft-discard]");
    var entry = button && entryOf(button.form || button.closest("form"));
    if (entry) {
      event.preventDefault();
      discard(entry);
    }
  });

  /* Capture: before any other script sends the form, stop one that is too large. */
  window.addEventListener("submit", function (event) {
    var form = event.target;
    var field = oversized(form);
    if (field) {
      event.preventDefault();
      event.stopPropagation();
      field.focus();
      var message = document.getElementById((field.id || field.name) + "-size");
      if (message) {
        message.setAttribute("role", "alert");
      }
      return;
    }
    var entry = entryOf(form);
    if (entry) {
      saveNow(entry);
      lastSubmit = { key: entry.key, action: actionPath(form), at: Date.now() };
    }
  }, true);

  /* Bubble: the form goes as a normal navigation unless a script took it over. */
  window.addEventListener("submit", function (event) {
    var entry = entryOf(event.target);
    if (!entry || event.defaultPrevented || !session) return;
    lastSubmit = null;
    session.setItem(PENDING_KEY, JSON.stringify({ key: entry.key, at: Date.now() }));
  });

  window.addEventListener("pagehide", function () {
    forms.forEach(function (entry) {
      if (entry.timer) saveNow(entry);
    });
  });

  function dropOldDrafts() {
    if (!local) return;
    var old = [];
    for (var i = 0; i < local.length; i++) {
      var key = local.key(i);
      var draft = key && key.indexOf(PREFIX) === 0 ? load(key) : null;
      if (key && key.indexOf(PREFIX) === 0 && (!draft || Date.now() - draft.savedAt > DRAFT_MAX_AGE)) old.push(key);
    }
    old.forEach(function (key) {
      local.removeItem(key);
    });
  }

  // ---------------------------------------------------------------- start

  dropOldDrafts();
  watchFetch();
  var answered = settlePending();
  enhanceWithin(document.body, answered);
  if (window.MutationObserver) {
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.removedNodes, function (node) {
          if (node.nodeType === 1) forget(node);
        });
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          enhanceWithin(node, null);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
