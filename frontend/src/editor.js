// Commonwright's Markdown editor: progressively enhances <textarea data-cw-editor> (the
// textarea stays in its form, hidden and kept in sync, so the form posts as without JavaScript).
//
// data-preview-url      POST endpoint of the live preview (server-rendered, as the reading view)
// data-draft-key        localStorage key of this text's unsaved draft (policy + base revision)
// data-draft-prefix     prefix of every draft of the same policy (cleared after a save)
// data-conflict-head    on the edit-conflict page: the current revision's number; the page also
//                       holds <textarea id="mine"> (your text) and <textarea id="theirs">
//                       (the current revision), and the textarea holds the conflict markers.
import { EditorSelection } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { redo, undo } from "@codemirror/commands";
import { openSearchPanel } from "@codemirror/search";
import { MergeView } from "@codemirror/merge";

import {
  insertLink,
  insertTable,
  toggleBold,
  toggleBulletList,
  toggleHeading,
  toggleItalic,
  toggleOrderedList,
  toggleQuote,
} from "./commands.js";
import { choiceText, clashField, parseConflicts, resolveConflicts, setClashes } from "./conflicts.js";
import { DraftStore, formatTime } from "./drafts.js";
import { gettext, ngettext } from "./i18n.js";
import { Preview } from "./preview.js";
import { editorExtensions, readNonce, readOnlyExtensions } from "./setup.js";
import { createToolbar } from "./toolbar.js";

const SCRIPT = document.currentScript;
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || "");
const MOD = IS_MAC ? "Meta" : "Control";
const MOD_TEXT = IS_MAC ? "⌘" : "Ctrl+";

let counter = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of [].concat(children)) node.append(child);
  return node;
}

function shortcut(key) {
  return { aria: `${MOD}+${key.toUpperCase()}`, display: `${MOD_TEXT}${key.toUpperCase()}` };
}

// The toolbar, built when an editor starts (so its words are in the page's language).
const toolGroups = () => [
  [
    { id: "heading", text: gettext("Heading"), label: gettext("Heading"), run: toggleHeading },
    { id: "bold", text: gettext("Bold"), label: gettext("Bold"), run: toggleBold, shortcut: shortcut("b") },
    { id: "italic", text: gettext("Italic"), label: gettext("Italic"), run: toggleItalic, shortcut: shortcut("i") },
  ],
  [
    // TRANSLATORS: the bulleted list button; its name ("Bulleted list") should contain this word
    { id: "bullets", text: gettext("• List"), label: gettext("Bulleted list"), run: toggleBulletList },
    // The visible text is part of the accessible name (WCAG 2.5.3): "1. List" would not be.
    // TRANSLATORS: the numbered list button; its name ("Numbered list") should contain this word
    { id: "numbers", text: gettext("Numbered"), label: gettext("Numbered list"), run: toggleOrderedList },
    { id: "quote", text: gettext("Quote"), label: gettext("Quote"), run: toggleQuote },
    { id: "link", text: gettext("Link"), label: gettext("Link"), run: insertLink, shortcut: shortcut("k") },
    { id: "table", text: gettext("Table"), label: gettext("Table"), run: insertTable },
  ],
  [
    { id: "undo", text: gettext("Undo"), label: gettext("Undo"), run: undo, shortcut: shortcut("z") },
    { id: "redo", text: gettext("Redo"), label: gettext("Redo"), run: redo, shortcut: IS_MAC ? { aria: "Meta+Shift+Z", display: "⇧⌘Z" } : shortcut("y") },
    // TRANSLATORS: the find button; its name ("Find and replace") should contain this word
    { id: "search", text: gettext("Find"), label: gettext("Find and replace"), run: openSearchPanel, shortcut: shortcut("f") },
  ],
];

class Editor {
  constructor(textarea) {
    this.textarea = textarea;
    this.form = textarea.form;
    this.id = `cw-editor-${++counter}`;
    this.nonce = readNonce(SCRIPT);
    this.drafts = new DraftStore(textarea.dataset.draftKey || `page${location.pathname}`, textarea.dataset.draftPrefix);
    this.draftTimer = null;
    this.syncTimer = null;
    this.mergeView = null;
    this.clashes = [];
    this.decisions = [];
    // Registered before CodeMirror's own listener, so that it runs first (see keepDomSelection).
    document.addEventListener("selectionchange", () => this.keepDomSelection());
    this.build();
  }

  /** A selection made in the page's DOM (by a script, an automation tool or assistive technology)
      that starts at the very beginning of the text is taken over as the editor's selection.
      Right after the editor gains focus, CodeMirror would otherwise take it for the browser
      moving the caret to the start, and replace it with its previous cursor position. */
  keepDomSelection() {
    const view = this.view;
    if (!view || !view.hasFocus) return;
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount || selection.isCollapsed) return;
    const content = view.contentDOM;
    if (!content.contains(selection.anchorNode) || !content.contains(selection.focusNode)) return;
    let anchor;
    let head;
    try {
      anchor = view.posAtDOM(selection.anchorNode, selection.anchorOffset);
      head = view.posAtDOM(selection.focusNode, selection.focusOffset);
    } catch (error) {
      return;
    }
    const main = view.state.selection.main;
    if (Math.min(anchor, head) !== 0 || (main.anchor === anchor && main.head === head)) return;
    view.dispatch({ selection: { anchor, head } });
  }

  build() {
    const textarea = this.textarea;
    const field = textarea.closest(".field") || textarea.parentNode;
    const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`) : null;
    const labelId = `${this.id}-label`;
    if (label) {
      // The editor takes the textarea's label (the hidden textarea loses it).
      label.id = label.id || labelId;
      label.removeAttribute("for");
      label.addEventListener("click", () => this.view && this.view.focus());
    }
    const describedBy = textarea.getAttribute("aria-describedby");
    this.labelId = label ? label.id : null;

    this.root = el("div", { class: "cw-editor", id: this.id });
    this.prompt = el("div", { class: "cw-draft-prompt", role: "status", "aria-live": "polite" });
    this.alert = el("div", { class: "cw-alert", role: "alert" });
    this.sourcePane = el("div", { class: "cw-source" });
    this.previewBody = el("div", { class: "cw-preview-body document" });
    this.previewStatus = el("p", { class: "cw-preview-status", hidden: true });
    const previewHeading = el("h2", { id: `${this.id}-preview-heading`, class: "cw-preview-heading", text: gettext("Preview") });
    this.previewRegion = el(
      "section",
      { class: "cw-preview", "aria-labelledby": previewHeading.id },
      [previewHeading, el("p", { class: "hint", text: gettext("Rendered as on the reading page, with its line numbers.") }), this.previewStatus, this.previewBody],
    );
    this.draftStatus = el("span", { class: "cw-draft-status" });
    this.discardButton = el("button", { type: "button", class: "button small", hidden: true, text: gettext("Discard unsaved changes") });
    this.discardButton.addEventListener("click", () => this.discardChanges());
    const footer = el("p", { class: "cw-status" }, [this.draftStatus, " ", this.discardButton]);

    const conflict = this.readConflict();
    this.panes = el("div", { class: conflict ? "cw-panes cw-panes-stacked" : "cw-panes" }, [this.sourcePane, this.previewRegion]);

    const attributes = { "aria-labelledby": this.labelId || undefined, "aria-describedby": describedBy || undefined };
    if (!this.labelId) attributes["aria-label"] = gettext("Text (Markdown)");
    const onUpdate = (update) => this.onUpdate(update);
    const extraKeys = [{ key: "Alt-F10", run: () => (this.toolbar.focus(), true) }];

    if (conflict) {
      this.buildMergeView(conflict, attributes, onUpdate, extraKeys);
    } else {
      this.initialText = textarea.value;
      this.view = new EditorView({
        doc: textarea.value,
        extensions: editorExtensions({ nonce: this.nonce, attributes: cleanAttrs(attributes), onUpdate, extraKeys }),
        parent: this.sourcePane,
      });
    }

    this.toolbar = createToolbar({
      label: gettext("Formatting"),
      controls: this.id,
      groups: toolGroups(),
      onRun: (item) => {
        item.run(this.view);
        // Back to the text, unless the command moved the focus into the editor (Find: its field).
        if (!this.view.dom.contains(document.activeElement)) this.view.focus();
      },
    });
    this.root.prepend(this.toolbar.element);
    this.root.append(this.prompt, this.alert, this.panes, footer);
    if (conflict) this.root.insertBefore(this.clashPanel, this.panes);

    // The textarea stays in the form, out of sight and out of the tab order; a script or tool that
    // fills it in (as a form filler may) updates the editor.
    textarea.classList.add("cw-replaced");
    textarea.tabIndex = -1;
    textarea.setAttribute("aria-hidden", "true");
    textarea.addEventListener("input", () => {
      if (textarea.value !== this.text) this.replaceText(textarea.value, "input.fill");
    });
    textarea.dataset.cwEnhanced = "true";
    textarea.after(this.root);
    if (field !== textarea.parentNode) field.classList.add("cw-field");

    if (textarea.dataset.previewUrl && this.form) {
      const token = this.form.querySelector('input[name="csrf_token"]');
      this.preview = new Preview({
        url: textarea.dataset.previewUrl,
        csrfToken: token ? token.value : "",
        body: this.previewBody,
        status: this.previewStatus,
        onGotoLine: (line) => this.gotoLine(line),
      });
      this.preview.render(this.text);
    } else {
      this.previewRegion.hidden = true;
    }

    if (this.form) {
      this.form.addEventListener("submit", (event) => this.onSubmit(event));
    }
    window.addEventListener("pagehide", () => this.saveDraft());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.saveDraft();
    });
    this.sync();
    this.offerDraft();
  }

  get text() {
    return this.view.state.doc.toString();
  }

  // ----- conflicts -------------------------------------------------------------------------

  readConflict() {
    const head = this.textarea.dataset.conflictHead;
    const theirs = document.getElementById("theirs");
    if (!head || !theirs) return null;
    const parts = parseConflicts(this.textarea.value);
    if (!parts || !parts.some((part) => part.kind === "clash")) return null;
    return { head, theirs: theirs.value, parts };
  }

  buildMergeView(conflict, attributes, onUpdate, extraKeys) {
    const { text, clashes } = resolveConflicts(conflict.parts, "ours");
    this.initialText = text;
    this.clashes = clashes;
    this.decisions = clashes.map(() => null);
    this.head = conflict.head;
    const mineLabel = `${this.id}-mine-label`;
    const currentLabel = `${this.id}-current-label`;
    const labels = el("div", { class: "cw-merge-labels" }, [
      el("p", {
        id: mineLabel,
        text: gettext("Your text, with the other changes of revision %(revision)s — this is what will be saved", { revision: conflict.head }),
      }),
      el("p", { id: currentLabel, text: gettext("Revision %(revision)s as saved (read only)", { revision: conflict.head }) }),
    ]);
    const mineAttributes = cleanAttrs({ ...attributes, "aria-labelledby": [attributes["aria-labelledby"], mineLabel].filter(Boolean).join(" ") });
    // CodeMirror's merge view diffs `a` (the original) into `b`: `a` is the current revision and
    // `b` your text, so your changes show as insertions. `b` is shown first (on the left).
    this.mergeView = new MergeView({
      a: {
        doc: conflict.theirs,
        extensions: readOnlyExtensions({ nonce: this.nonce, attributes: { "aria-labelledby": currentLabel } }),
      },
      b: {
        doc: text,
        extensions: [editorExtensions({ nonce: this.nonce, attributes: mineAttributes, onUpdate, extraKeys }), clashField],
      },
      orientation: "b-a",
      parent: this.sourcePane,
      revertControls: "a-to-b",
      renderRevertControl: () => {
        const take = gettext("Take revision %(revision)s's wording for this passage", { revision: conflict.head });
        const button = el("button", { type: "button", class: "cw-take", title: take, "aria-label": take });
        button.textContent = "⇜";
        return button;
      },
    });
    this.view = this.mergeView.b;
    this.view.dispatch({ effects: setClashes.of(clashes.map(({ from, to }) => ({ from, to }))) });
    this.sourcePane.prepend(labels);
    document.documentElement.classList.add("cw-merging");
    // The revert arrows react to the mouse only; make them work from the keyboard too.
    const revertDOM = this.mergeView.dom.querySelector(".cm-merge-revert");
    if (revertDOM) {
      revertDOM.addEventListener("keydown", (event) => {
        const button = event.target.closest("button[data-chunk]");
        if (!button || (event.key !== "Enter" && event.key !== " ")) return;
        event.preventDefault();
        this.takeChunk(Number(button.dataset.chunk));
      });
    }
    this.buildClashPanel(conflict.head);
  }

  /** Take the current revision's wording (pane a) for chunk `index` into your text (pane b). */
  takeChunk(index) {
    const chunk = this.mergeView.chunks[index];
    if (!chunk) return;
    const { a, b } = this.mergeView;
    let insert = a.state.sliceDoc(chunk.fromA, Math.max(chunk.fromA, chunk.toA - 1));
    if (chunk.fromA !== chunk.toA && chunk.toB <= b.state.doc.length) insert += b.state.lineBreak;
    b.dispatch({ changes: { from: chunk.fromB, to: Math.min(b.state.doc.length, chunk.toB), insert }, userEvent: "revert" });
  }

  buildClashPanel(head) {
    const count = this.clashes.length;
    const heading = el("h2", {
      id: `${this.id}-clashes`,
      text: ngettext("%(num)s clashing passage", "%(num)s clashing passages", count),
    });
    this.clashSummary = el("p", { class: "cw-clash-summary", role: "status", "aria-live": "polite" });
    const list = el("ol", { class: "cw-clash-list" });
    this.clashItems = this.clashes.map((clash, index) => {
      const where = el("span", { class: "cw-clash-where" });
      const state = el("span", { class: "cw-clash-state" });
      const choices = [
        ["ours", gettext("Use your wording")],
        ["theirs", gettext("Use revision %(revision)s's wording", { revision: head })],
        ["both", gettext("Use both")],
      ].map(([choice, text]) => {
        const button = el("button", { type: "button", class: "button small", "data-choice": choice, text });
        button.addEventListener("click", () => this.decide(index, choice));
        return button;
      });
      const show = el("button", { type: "button", class: "button small", text: gettext("Show in the editor") });
      show.addEventListener("click", () => this.showClash(index));
      const group = el("div", { class: "actions", role: "group", "aria-label": gettext("Passage %(number)s", { number: index + 1 }) }, [
        ...choices,
        show,
      ]);
      const item = el("li", { class: "cw-clash" }, [el("p", {}, clashLine(index + 1, where, state)), group]);
      list.append(item);
      return { item, where, state, choices, group };
    });
    this.clashPanel = el("section", { class: "cw-clashes", "aria-labelledby": heading.id }, [
      heading,
      el("p", {
        class: "hint",
        text: gettext(
          "Left: your text, already combined with the changes of revision %(revision)s that did not clash. " +
            "Right: revision %(revision)s. For each clashing passage, choose whose wording to keep " +
            "(or edit it on the left); the arrows between the two sides take revision %(revision)s's wording for any difference.",
          { revision: head },
        ),
      }),
      list,
      this.clashSummary,
    ]);
    this.updateClashes(false);
  }

  clashState(index) {
    const range = this.view.state.field(clashField)[index];
    const clash = this.clashes[index];
    const current = this.view.state.sliceDoc(range.from, range.to);
    const decided = this.decisions[index];
    if (decided && current === choiceText(clash, decided)) return decided;
    if (current === clash.theirs) return "theirs";
    if (current === clash.ours + clash.theirs) return "both";
    if (current === clash.ours) return null;
    return "edited";
  }

  updateClashes(announce) {
    if (!this.clashItems) return;
    const texts = {
      ours: gettext("your wording is kept"),
      theirs: gettext("revision %(revision)s's wording is kept", { revision: this.head }),
      both: gettext("both wordings are kept"),
      edited: gettext("edited by hand"),
    };
    let open = 0;
    this.clashItems.forEach((item, index) => {
      const state = this.clashState(index);
      const range = this.view.state.field(clashField)[index];
      const line = this.view.state.doc.lineAt(Math.min(range.from, this.view.state.doc.length)).number;
      item.where.textContent = gettext("line %(line)s", { line });
      item.state.textContent = state ? texts[state] : gettext("not decided yet (your wording is shown)");
      item.item.classList.toggle("cw-clash-open", !state);
      item.choices.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.choice === state)));
      if (!state) open++;
    });
    let summary = gettext("Every clashing passage is decided: save when the text on the left is right.");
    if (open && this.clashes.length === 1) summary = gettext("1 of 1 clashing passage still needs a decision.");
    else if (open) {
      summary = ngettext(
        "%(num)s of %(total)s clashing passages still needs a decision.",
        "%(num)s of %(total)s clashing passages still need a decision.",
        open,
        { total: this.clashes.length },
      );
    }
    if (announce !== false || !this.clashSummary.textContent) this.clashSummary.textContent = summary;
    return open;
  }

  decide(index, choice) {
    const range = this.view.state.field(clashField)[index];
    const insert = choiceText(this.clashes[index], choice);
    this.decisions[index] = choice;
    if (this.view.state.sliceDoc(range.from, range.to) !== insert) {
      this.view.dispatch({ changes: { from: range.from, to: range.to, insert }, userEvent: "input.resolve" });
    }
    this.updateClashes(true);
    const after = this.view.state.field(clashField)[index];
    this.view.dispatch({ effects: EditorView.scrollIntoView(after.from, { y: "center" }) });
  }

  showClash(index) {
    const range = this.view.state.field(clashField)[index];
    this.view.dispatch({
      selection: EditorSelection.range(range.from, Math.max(range.from, range.to - 1)),
      effects: EditorView.scrollIntoView(range.from, { y: "center" }),
    });
    this.view.focus();
  }

  // ----- text, drafts, preview ---------------------------------------------------------------

  onUpdate(update) {
    if (!update.docChanged) return;
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => this.sync(), 150);
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.saveDraft(), 400);
    if (this.preview) this.preview.schedule(update.state.doc.toString());
    if (this.clashItems) this.updateClashes(false);
  }

  sync() {
    clearTimeout(this.syncTimer);
    const text = this.text;
    if (this.textarea.value !== text) this.textarea.value = text;
  }

  saveDraft() {
    clearTimeout(this.draftTimer);
    if (!this.view) return;
    const text = this.text;
    if (text === this.initialText) {
      if (this.drafts.load()) this.drafts.clear();
      this.showDraftStatus(null);
      return;
    }
    const base = this.form ? this.form.querySelector('input[name="base"]') : null;
    const savedAt = this.drafts.save(text, base ? base.value : null);
    this.showDraftStatus(savedAt);
  }

  showDraftStatus(savedAt) {
    if (savedAt) {
      this.draftStatus.textContent = gettext("Unsaved changes are kept in this browser (%(time)s) until you save.", { time: formatTime(savedAt) });
      this.discardButton.hidden = false;
    } else {
      this.draftStatus.textContent = this.drafts.available ? "" : gettext("This browser does not keep drafts: save your work before leaving.");
      this.discardButton.hidden = true;
    }
  }

  offerDraft() {
    const own = this.drafts.load();
    const baseInput = this.form ? this.form.querySelector('input[name="base"]') : null;
    let draft = own && own.text !== this.text ? own : null;
    let older = null;
    // (Not on the conflict page: there the older draft is the very text that clashed.)
    if (!draft && baseInput && !this.mergeView) {
      // A draft written on an older revision of this policy: restoring it also restores its base
      // revision, so that saving merges it with what was saved since (or shows the conflict).
      older = this.drafts.loadOther();
      if (older && older.base && String(older.base) !== baseInput.value && older.text !== this.text) draft = older;
      else older = null;
    }
    if (!draft) return;
    // Fill the live region after it is in the page, so that screen readers announce it.
    setTimeout(() => {
      const restore = el("button", { type: "button", class: "button small primary", text: gettext("Restore draft") });
      const discard = el("button", { type: "button", class: "button small", text: gettext("Discard draft") });
      restore.addEventListener("click", () => {
        if (older) {
          this.drafts.moveTo(older.key);
          baseInput.value = String(older.base);
        }
        this.replaceText(draft.text, "input.restore");
        const words = [gettext("Draft restored.")];
        if (older) {
          words.push(gettext("It was written on revision %(revision)s: saving merges it with the changes saved since.", { revision: older.base }));
        }
        words.push(gettext("Undo (%(shortcut)s) brings back the text you opened.", { shortcut: `${MOD_TEXT}Z` }));
        this.prompt.replaceChildren(el("p", { text: words.join(" ") }));
        this.saveDraft();
        this.view.focus();
      });
      discard.addEventListener("click", () => {
        if (older) {
          try {
            window.localStorage.removeItem(older.key);
          } catch (error) {
            /* nothing kept anyway */
          }
        } else {
          this.drafts.clear();
        }
        this.prompt.replaceChildren(el("p", { text: gettext("Draft discarded.") }));
        this.view.focus();
      });
      const offer = older
        ? gettext(
            "You have an unsaved draft of this text from %(time)s, written on revision %(revision)s (the text has changed since), kept in this browser.",
            { time: formatTime(draft.savedAt), revision: older.base },
          )
        : gettext("You have an unsaved draft of this text from %(time)s, kept in this browser.", { time: formatTime(draft.savedAt) });
      this.prompt.replaceChildren(
        el("p", {}, [
          `${offer} `,
          restore,
          " ",
          discard,
        ]),
      );
      this.prompt.classList.add("cw-draft-prompt-open");
    }, 50);
  }

  discardChanges() {
    this.replaceText(this.initialText, "input.discard");
    this.drafts.clear();
    this.showDraftStatus(null);
    this.prompt.replaceChildren(
      el("p", { text: gettext("Unsaved changes discarded. Undo (%(shortcut)s) brings them back.", { shortcut: `${MOD_TEXT}Z` }) }),
    );
    this.view.focus();
  }

  replaceText(text, userEvent) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text }, userEvent });
  }

  gotoLine(number) {
    const doc = this.view.state.doc;
    const line = doc.line(Math.max(1, Math.min(number, doc.lines)));
    this.view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
    this.view.focus();
  }

  onSubmit(event) {
    if (this.clashItems) {
      const open = this.updateClashes(false);
      if (open) {
        event.preventDefault();
        this.alert.textContent = ngettext(
          "Decide each clashing passage before saving: %(num)s still needs a decision.",
          "Decide each clashing passage before saving: %(num)s still need a decision.",
          open,
        );
        const first = this.clashItems.find((item) => item.item.classList.contains("cw-clash-open"));
        if (first) first.choices[0].focus();
        return;
      }
    }
    this.alert.textContent = "";
    this.sync();
    this.saveDraft();
    this.drafts.markPending();
  }
}

/** "Passage 2, line 14: your wording is kept": the line and the state stay live nodes. */
function clashLine(number, where, state) {
  const template = gettext("Passage %(number)s, %(where)s: %(state)s", { number });
  const nodes = { "%(where)s": where, "%(state)s": state };
  return template
    .split(/(%\((?:where|state)\)s)/)
    .filter((part) => part !== "")
    .map((part) => nodes[part] || part);
}

function cleanAttrs(attrs) {
  const out = {};
  for (const [name, value] of Object.entries(attrs)) if (value) out[name] = value;
  return out;
}

function enhance(textarea) {
  if (textarea.dataset.cwEnhanced) return null;
  try {
    return new Editor(textarea);
  } catch (error) {
    // Whatever failed, the plain textarea still works.
    textarea.classList.remove("cw-replaced");
    textarea.removeAttribute("tabindex");
    textarea.removeAttribute("aria-hidden");
    const root = textarea.nextElementSibling;
    if (root && root.classList.contains("cw-editor")) root.remove();
    console.error("Commonwright editor:", error);
    return null;
  }
}

function enhanceAll(root = document) {
  return Array.from(root.querySelectorAll("textarea[data-cw-editor]")).map(enhance);
}

window.CommonwrightEditor = { enhance, enhanceAll, parseConflicts, resolveConflicts, editors: [] };

function start() {
  window.CommonwrightEditor.editors = enhanceAll().filter(Boolean);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
