// The CodeMirror configuration shared by the editor and the merge view's panes.
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { commonmarkLanguage, markdown } from "@codemirror/lang-markdown";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Strikethrough, Table } from "@lezer/markdown";
import { tags as t } from "@lezer/highlight";

import { insertLink, toggleBold, toggleItalic } from "./commands.js";
import { gettext } from "./i18n.js";
import { createSearchPanel } from "./search-panel.js";

/** CodeMirror's own words (state.phrase): titles, the go-to-line panel, screen reader
    announcements of the search and of deleted selections. "$" stands for a number. */
function phrases() {
  return EditorState.phrases.of({
    "Control character": gettext("Control character"),
    "Selection deleted": gettext("Selection deleted"),
    // TRANSLATORS: announced when a search moves to a match: "current match. <text> on line 12."
    "current match": gettext("current match"),
    "on line": gettext("on line"),
    // TRANSLATORS: keep "$": it stands for the number of matches replaced
    "replaced $ matches": gettext("replaced $ matches"),
    // TRANSLATORS: keep "$": it stands for the line number
    "replaced match on line $": gettext("replaced match on line $"),
    "Go to line": gettext("Go to line"),
    // TRANSLATORS: the button of the go-to-line panel
    go: gettext("go"),
    close: gettext("close"),
  });
}

/** The per-request CSP nonce: from <meta name="csp-nonce">, else from this script's tag. */
export function readNonce(script) {
  const meta = document.querySelector('meta[name="csp-nonce"]');
  if (meta && meta.content) return meta.content;
  return (script && script.nonce) || "";
}

// Markdown as the server reads it: CommonMark plus tables and strikethrough (markdown-it-py).
const language = () =>
  markdown({ base: commonmarkLanguage, extensions: [Table, Strikethrough], completeHTMLTags: false });

const highlight = HighlightStyle.define([
  { tag: t.heading1, fontWeight: "700", fontSize: "1.2em" },
  { tag: t.heading2, fontWeight: "700", fontSize: "1.1em" },
  { tag: t.heading, fontWeight: "700", color: "var(--accent)" },
  { tag: t.strong, fontWeight: "700" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.link, textDecoration: "underline", color: "var(--accent)" },
  { tag: t.url, color: "var(--muted)", textDecoration: "underline" },
  { tag: t.monospace, backgroundColor: "var(--bg)", borderRadius: "3px" },
  { tag: t.quote, fontStyle: "italic" },
  { tag: [t.processingInstruction, t.contentSeparator, t.meta, t.labelName], color: "var(--muted)" },
  { tag: [t.angleBracket, t.tagName, t.attributeName, t.comment], color: "var(--muted)" },
]);

const theme = EditorView.theme({
  "&": {
    color: "var(--text)",
    backgroundColor: "var(--surface)",
    border: "1px solid var(--border)",
    borderRadius: "6px",
    fontSize: "0.95rem",
  },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.6" },
  ".cm-content": { caretColor: "var(--text)", padding: "0.5rem 0" },
  ".cm-line": { padding: "0 0.75rem 0 0.5rem" },
  ".cm-gutters": {
    backgroundColor: "var(--bg)",
    color: "var(--muted)",
    borderRight: "1px solid var(--border)",
    borderRadius: "6px 0 0 6px",
  },
  ".cm-lineNumbers .cm-gutterElement": { minWidth: "2.5em", padding: "0 0.5rem 0 0.4rem" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--accent-soft) 45%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--accent-soft)", color: "var(--text)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "color-mix(in srgb, var(--accent) 28%, transparent)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)", borderLeftWidth: "2px" },
  ".cm-selectionMatch": { backgroundColor: "color-mix(in srgb, var(--focus) 22%, transparent)" },
  ".cm-searchMatch": { outline: "1px solid var(--focus)", backgroundColor: "transparent" },
  ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "color-mix(in srgb, var(--focus) 30%, transparent)" },
  // The find/replace panel (search-panel.js) is styled in app.css ("Editor search panel").
  ".cm-panels": { backgroundColor: "var(--bg)", color: "var(--text)", fontFamily: "var(--font-ui)" },
  ".cm-panels.cm-panels-top": { borderBottom: "1px solid var(--border)", borderRadius: "6px 6px 0 0" },
});

export const formatKeymap = [
  { key: "Mod-b", run: toggleBold, preventDefault: true },
  { key: "Mod-i", run: toggleItalic, preventDefault: true },
  { key: "Mod-k", run: insertLink, preventDefault: true },
];

/** Text inserted over a selection, or text with line breaks, goes straight into the document.
    Left to the browser, such an edit may copy the replaced text's formatting into new elements
    with `style` attributes, which the strict CSP blocks (and reports as an error). */
const plainInsert = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== "insertText" || event.isComposing || view.composing || view.state.readOnly) return false;
    if (view.state.selection.ranges.length > 1 || typeof event.data !== "string") return false;
    // Where the text goes: the event's target range, else the page's live selection (which a
    // script may have just set, before CodeMirror has read it), else the editor's selection.
    let { from, to } = view.state.selection.main;
    const targets = typeof event.getTargetRanges === "function" ? event.getTargetRanges() : [];
    const selection = document.getSelection();
    try {
      if (targets.length) {
        from = view.posAtDOM(targets[0].startContainer, targets[0].startOffset);
        to = view.posAtDOM(targets[0].endContainer, targets[0].endOffset);
      } else if (selection && selection.rangeCount && view.contentDOM.contains(selection.anchorNode) && view.contentDOM.contains(selection.focusNode)) {
        from = view.posAtDOM(selection.anchorNode, selection.anchorOffset);
        to = view.posAtDOM(selection.focusNode, selection.focusOffset);
      }
    } catch (error) {
      return false;
    }
    if (from === to && !/[\r\n]/.test(event.data)) return false; // plain typing: CodeMirror's own path
    event.preventDefault();
    const insert = view.state.toText(event.data);
    view.dispatch({
      changes: { from: Math.min(from, to), to: Math.max(from, to), insert },
      selection: { anchor: Math.min(from, to) + insert.length },
      scrollIntoView: true,
      userEvent: "input.type",
    });
    return true;
  },
});

/** Extensions of an editable Markdown pane. */
export function editorExtensions({ nonce, attributes, onUpdate, extraKeys = [] }) {
  return [
    EditorView.cspNonce.of(nonce),
    phrases(),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    highlightActiveLine(),
    highlightSelectionMatches(),
    language(),
    syntaxHighlighting(highlight),
    search({ top: true, createPanel: createSearchPanel }),
    Prec.high(keymap.of([...formatKeymap, ...extraKeys])),
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
    EditorView.lineWrapping,
    plainInsert,
    theme,
    EditorView.contentAttributes.of({ spellcheck: "true", autocapitalize: "sentences", ...attributes }),
    onUpdate ? EditorView.updateListener.of(onUpdate) : [],
  ];
}

/** Extensions of a read-only pane (the current revision in the merge view). */
export function readOnlyExtensions({ nonce, attributes }) {
  return [
    EditorView.cspNonce.of(nonce),
    phrases(),
    lineNumbers(),
    highlightSpecialChars(),
    drawSelection(),
    EditorState.readOnly.of(true),
    language(),
    syntaxHighlighting(highlight),
    search({ top: true, createPanel: createSearchPanel }),
    keymap.of([...defaultKeymap, ...searchKeymap]),
    EditorView.lineWrapping,
    theme,
    EditorView.contentAttributes.of({ "aria-readonly": "true", ...attributes }),
  ];
}
