// Unit tests of the formatting commands (src/commands.js) on a bare EditorState: `npm test`.
// A document is written with its selection marked: "|" a cursor, "«" and "»" a selection's
// anchor and head (several pairs: several ranges).
import { test } from "node:test";
import assert from "node:assert/strict";
import { EditorSelection, EditorState } from "@codemirror/state";

import {
  insertLink,
  insertTable,
  toggleBold,
  toggleBulletList,
  toggleHeading,
  toggleItalic,
  toggleOrderedList,
  toggleQuote,
} from "../src/commands.js";

function parse(marked) {
  let doc = "";
  const ranges = [];
  let anchor = null;
  for (const ch of marked) {
    if (ch === "|") ranges.push(EditorSelection.cursor(doc.length));
    else if (ch === "«") anchor = doc.length;
    else if (ch === "»") ranges.push(EditorSelection.range(anchor, doc.length));
    else doc += ch;
  }
  return EditorState.create({
    doc,
    selection: EditorSelection.create(ranges.length ? ranges : [EditorSelection.cursor(0)]),
    extensions: EditorState.allowMultipleSelections.of(true),
  });
}

function show(state) {
  const marks = [];
  for (const r of state.selection.ranges) {
    if (r.empty) marks.push([r.head, "|"]);
    else marks.push([r.anchor, "«"], [r.head, "»"]);
  }
  marks.sort((a, b) => b[0] - a[0] || (a[1] === "»" ? -1 : 1));
  let text = state.doc.toString();
  for (const [pos, mark] of marks) text = text.slice(0, pos) + mark + text.slice(pos);
  return text;
}

/** Run `command` on the marked document (`times` times) and return the marked result. */
function apply(command, marked, times = 1) {
  const view = { state: parse(marked), dispatch(tr) { this.state = tr.state; } };
  for (let i = 0; i < times; i++) assert.equal(command(view), true);
  return show(view.state);
}

/** After the command, type `text` over the selection (as a person would). */
function typeAfter(command, marked, text) {
  const view = { state: parse(marked), dispatch(tr) { this.state = tr.state; } };
  command(view);
  view.state = view.state.update(view.state.replaceSelection(text)).state;
  return show(view.state);
}

test("heading on an empty line leaves the cursor after the marker", () => {
  assert.equal(apply(toggleHeading, "a\n|\nb"), "a\n## |\nb");
  assert.equal(typeAfter(toggleHeading, "|", "Hello"), "## Hello|");
  assert.equal(apply(toggleHeading, "   |"), "## |");
});

test("heading keeps the cursor and the selection on the text", () => {
  assert.equal(apply(toggleHeading, "|Title"), "## |Title");
  assert.equal(apply(toggleHeading, "Ti|tle"), "## Ti|tle");
  assert.equal(apply(toggleHeading, "The «city» opens."), "## The «city» opens.");
  assert.equal(apply(toggleHeading, "«The» city"), "## «The» city");
  assert.equal(apply(toggleHeading, "«The city»"), "«## The city»");
});

test("heading cycles text, ##, ###, text", () => {
  assert.equal(apply(toggleHeading, "Ti|tle", 2), "### Ti|tle");
  assert.equal(apply(toggleHeading, "Ti|tle", 3), "Ti|tle");
  assert.equal(apply(toggleHeading, "# Ti|tle"), "## Ti|tle");
  assert.equal(apply(toggleHeading, "#### Ti|tle"), "Ti|tle");
  assert.equal(apply(toggleHeading, "|", 3), "|");
  assert.equal(apply(toggleHeading, "## |Title"), "### |Title");
});

test("heading over several lines: every non-blank line, in step", () => {
  assert.equal(apply(toggleHeading, "«a\n\nb\nc»"), "«## a\n\n## b\n## c»");
  assert.equal(apply(toggleHeading, "«## a\n\n## b»"), "«### a\n\n### b»");
  assert.equal(apply(toggleHeading, "«### a\n### b»"), "«a\nb»");
  assert.equal(apply(toggleHeading, "«## a\nb»"), "«## a\n## b»");
});

test("heading replaces a list marker and stays inside a quote", () => {
  assert.equal(apply(toggleHeading, "- it|em"), "## it|em");
  assert.equal(apply(toggleHeading, "> quo|te"), "> ## quo|te");
});

test("lists on an empty line leave the cursor after the marker", () => {
  assert.equal(apply(toggleBulletList, "a\n\n|"), "a\n\n- |");
  assert.equal(apply(toggleOrderedList, "|"), "1. |");
  assert.equal(apply(toggleOrderedList, "1. a\n2. b\n|"), "1. a\n2. b\n3. |");
  assert.equal(typeAfter(toggleBulletList, "|", "Hello"), "- Hello|");
});

test("lists prefix the cursor's or selection's line and keep the selection", () => {
  assert.equal(apply(toggleBulletList, "|Item"), "- |Item");
  assert.equal(apply(toggleBulletList, "An «item» here"), "- An «item» here");
  assert.equal(apply(toggleOrderedList, "It|em"), "1. It|em");
});

test("lists over several lines: numbered in order, off when all have it, converted", () => {
  assert.equal(apply(toggleOrderedList, "«a\nb\n\nc»"), "«1. a\n2. b\n\n3. c»");
  assert.equal(apply(toggleBulletList, "«a\nb»"), "«- a\n- b»");
  assert.equal(apply(toggleBulletList, "«- a\n- b»"), "«a\nb»");
  assert.equal(apply(toggleBulletList, "«- a\nb»"), "«- a\n- b»");
  assert.equal(apply(toggleOrderedList, "«- a\n- b»"), "«1. a\n2. b»");
  assert.equal(apply(toggleBulletList, "«1. a\n2. b»"), "«- a\n- b»");
  assert.equal(apply(toggleBulletList, "  - ne|sted"), "  ne|sted");
  assert.equal(apply(toggleBulletList, "## Ti|tle"), "- Ti|tle");
});

test("a selection ending at the start of a line leaves that line alone", () => {
  assert.equal(apply(toggleBulletList, "«a\nb\n»c"), "«- a\n- b\n»c");
});

test("quote: empty line, a line, several lines and off again", () => {
  assert.equal(apply(toggleQuote, "|"), "> |");
  assert.equal(apply(toggleQuote, "Sa|id"), "> Sa|id");
  assert.equal(apply(toggleQuote, "«a\n\nb»"), "«> a\n\n> b»");
  assert.equal(apply(toggleQuote, "«> a\n> b»"), "«a\nb»");
  assert.equal(apply(toggleQuote, "> |"), "|");
});

test("bold and italic on an empty line insert a selected placeholder that typing replaces", () => {
  assert.equal(apply(toggleBold, "|"), "**«bold text»**");
  assert.equal(apply(toggleItalic, "a\n|"), "a\n*«italic text»*");
  assert.equal(typeAfter(toggleBold, "|", "Hello"), "**Hello|**");
  assert.equal(apply(toggleBold, "**|**"), "|");
});

test("bold wraps the word at the cursor, and takes it off again", () => {
  assert.equal(apply(toggleBold, "one tw|o three"), "one **tw|o** three");
  assert.equal(apply(toggleBold, "one two| three"), "one **two|** three");
  assert.equal(apply(toggleBold, "one |two three"), "one **|two** three");
  assert.equal(apply(toggleBold, "one tw|o three", 2), "one tw|o three");
});

test("bold and italic wrap a selection and keep it on the text", () => {
  assert.equal(apply(toggleBold, "The «city» opens."), "The **«city»** opens.");
  assert.equal(apply(toggleBold, "The «city »opens."), "The **«city** »opens.");
  assert.equal(apply(toggleItalic, "The «city» opens.", 2), "The «city» opens.");
  assert.equal(apply(toggleBold, "The «**city**» opens."), "The «city» opens.");
  assert.equal(apply(toggleItalic, "The **«city»** opens."), "The ***«city»*** opens.");
  assert.equal(apply(toggleBold, "The ***«city»*** opens."), "The *«city»* opens.");
});

test("bold over several lines wraps each line's text, after its marker", () => {
  assert.equal(apply(toggleBold, "«## One\n\n- two\nthree»"), "«## **One**\n\n- **two**\n**three»**");
  assert.equal(apply(toggleBold, "«## **One**\n- **two**»"), "«## One\n- two»");
  assert.equal(apply(toggleBold, "a «b\nc» d"), "a **«b**\n**c»** d");
  assert.equal(apply(toggleBold, "«a\n\nb\nc»", 2), "«a\n\nb\nc»");
  assert.equal(apply(toggleItalic, "«a\nb»", 2), "«a\nb»");
  assert.equal(apply(toggleBold, "«a\n**b**»"), "**«a**\n**b**»");
});

test("link: empty line, word, selection, address, several lines, existing link", () => {
  assert.equal(apply(insertLink, "|"), "[«link text»](https://)");
  assert.equal(apply(insertLink, "See the ru|les."), "See the [rules](«https://»).");
  assert.equal(apply(insertLink, "See «the rules»."), "See [the rules](«https://»).");
  assert.equal(apply(insertLink, "See «https://example.org»."), "See [«link text»](https://example.org).");
  assert.equal(apply(insertLink, "«a\n\nb»"), "[a](«https://»)\n\n[b](«https://»)");
  assert.equal(apply(insertLink, "See [the ru|les](https://x.org)."), "See [the rules](«https://x.org»).");
  assert.equal(apply(insertLink, "See [the rules](https://x.org)|."), "See [the rules](https://x.org)[«link text»](https://).");
});

test("table: its own block, after the cursor's or the selection's last line", () => {
  const table = "| «Column 1» | Column 2 |\n| --- | --- |\n| Cell | Cell |";
  assert.equal(apply(insertTable, "|"), table);
  assert.equal(apply(insertTable, "a|\nb"), `a\n\n${table}\n\nb`);
  assert.equal(apply(insertTable, "a\n\n|\n\nb"), `a\n\n${table}\n\nb`);
  assert.equal(apply(insertTable, "«a\nb»\n\nc"), `a\nb\n\n${table}\n\nc`);
});

test("several cursors: each line is formatted once", () => {
  assert.equal(apply(toggleBulletList, "|a\n|b"), "- |a\n- |b");
  assert.equal(apply(toggleBold, "|a b|"), "**|a** **b|**");
});
