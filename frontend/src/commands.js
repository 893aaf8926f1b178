// Markdown formatting commands for the toolbar and the keyboard shortcuts (the same functions
// serve both). Each is a CodeMirror command, (view) => boolean, that works on every selection
// range and is undone in one step. They behave as a word processor's buttons:
//
// - Line formats (heading, bulleted and numbered list, quote) apply to every non-blank line the
//   selection touches, or to the cursor's line when it is blank; the marker goes in front of the
//   text and the cursor or selection stays on the same text, so a marker inserted on an empty line
//   leaves the cursor after it ("## |"). Pressed again they come off: a list or quote when every
//   line already has it; a heading steps through the levels: text → ## → ### → text (a level-1
//   title steps to ##, a level 4–6 heading back to text). A mixed selection becomes ## throughout.
//   A heading replaces a list marker and a list replaces a heading marker; inside a quote, the
//   marker goes after the "> ".
// - Inline formats (bold, italic) wrap the selection, or the word at the cursor; with nothing to
//   wrap, a selected placeholder goes in, which typing replaces. Spaces at the ends of a
//   selection stay outside the marks, a selection over several lines is wrapped line by line
//   (one sentence per line: a span never crosses lines), and the marks come off when every part
//   is already wrapped. The selection stays on the text.
// - Link turns the selection (line by line) or the word at the cursor into [text](https://)
//   with the address selected; a selected address becomes [link text](address) with the text
//   selected; inside an existing link it selects the address to change it.
// - Table inserts a two-column table as a block of its own after the cursor's (or the
//   selection's last) line.
import { EditorSelection } from "@codemirror/state";
import { gettext } from "./i18n.js";

// Container (quotes), indentation and block marker at the start of a line.
const LINE_START = /^((?:[ \t]{0,3}>[ \t]?)*)([ \t]*)(?:(#{1,6})(?:[ \t]+|$)|([-*+])[ \t]+|(\d{1,9})[.)][ \t]+)?/;
const QUOTE = /^[ \t]{0,3}>[ \t]?/;

function run(view, spec) {
  if (view.state.readOnly) return false;
  view.dispatch(view.state.update(spec, { scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

/** What starts a line: its quote prefix, indentation and block marker (heading or list item). */
export function lineStart(text) {
  const m = LINE_START.exec(text);
  const quote = m[1];
  const indent = m[2];
  const marker = m[0].slice(quote.length + indent.length);
  let kind = null;
  if (m[3]) kind = "heading";
  else if (m[4]) kind = "bullet";
  else if (m[5]) kind = "ordered";
  return { quote, indent, marker, kind, level: m[3] ? m[3].length : 0, number: m[5] ? Number(m[5]) : 0 };
}

const blank = (line) => line.text.trim() === "";

/** The distinct lines touched by the selection ranges, in document order. */
function selectedLines(state) {
  const seen = new Set();
  const lines = [];
  for (const range of state.selection.ranges) {
    let pos = range.from;
    for (;;) {
      const line = state.doc.lineAt(pos);
      // A selection ending at the start of a line does not include that line.
      if (line.from === range.to && range.to > range.from && line.from !== range.from) break;
      if (!seen.has(line.number)) {
        seen.add(line.number);
        lines.push(line);
      }
      if (line.to >= range.to || line.number === state.doc.lines) break;
      pos = line.to + 1;
    }
  }
  return lines.sort((a, b) => a.number - b.number);
}

/** The lines a line format applies to: the non-blank selected lines, else the cursors' lines. */
function formatLines(state) {
  const lines = selectedLines(state);
  const filled = lines.filter((line) => !blank(line));
  if (filled.length) return filled;
  const seen = new Set();
  return state.selection.ranges
    .map((range) => state.doc.lineAt(range.head))
    .filter((line) => !seen.has(line.number) && seen.add(line.number))
    .sort((a, b) => a.number - b.number);
}

/** Apply edits of line markers ({from, removed, insert}, one per line, original positions):
    a position on an edited marker lands after the new marker, every other one stays on its text;
    a selection of whole lines that starts where a marker goes keeps it (whole lines stay whole). */
function applyLineEdits(view, edits) {
  const { state } = view;
  const changes = state.changes(edits.map((e) => ({ from: e.from, to: e.from + e.removed, insert: e.insert })));
  const map = (pos, start) => {
    for (const e of edits) {
      if (start && pos === e.from) return changes.mapPos(e.from, -1);
      if (pos >= e.from && pos <= e.from + e.removed) return changes.mapPos(e.from, -1) + e.insert.length;
    }
    return changes.mapPos(pos, 1);
  };
  const ranges = state.selection.ranges.map((r) => {
    const line = state.doc.lineAt(r.from);
    const start = !r.empty && (r.to > line.to || (r.from === line.from && r.to === line.to));
    return EditorSelection.range(map(r.anchor, start && r.anchor < r.head), map(r.head, start && r.head < r.anchor));
  });
  return run(view, { changes, selection: EditorSelection.create(ranges, state.selection.mainIndex) });
}

/** The next heading level of the cycle text → ## → ### → text. */
function nextLevel(level) {
  if (level === 0 || level === 1) return 2;
  return level === 2 ? 3 : 0;
}

/** Heading: text → ## → ### → text, on every line (a mixed selection becomes ##). */
export function toggleHeading(view) {
  const { state } = view;
  const lines = formatLines(state);
  const starts = lines.map((line) => lineStart(line.text));
  const levels = starts.map((s) => (s.kind === "heading" ? s.level : 0));
  const target = levels.every((level) => level === levels[0]) ? nextLevel(levels[0]) : 2;
  const insert = target ? "#".repeat(target) + " " : "";
  const edits = lines.map((line, i) => {
    const s = starts[i];
    const from = line.from + s.quote.length;
    // A heading is not indented; a blank line's spaces go too.
    const removed = blank(line) ? line.length - s.quote.length : s.indent.length + s.marker.length;
    return { from, removed, insert };
  });
  return applyLineEdits(view, edits);
}

/** The number the first of `lines` takes in a numbered list: one more than an item just above. */
function firstNumber(state, lines) {
  const first = lines[0];
  if (first.number === 1) return 1;
  const above = lineStart(state.doc.line(first.number - 1).text);
  return above.kind === "ordered" ? above.number + 1 : 1;
}

function toggleList(view, ordered) {
  const { state } = view;
  const lines = formatLines(state);
  const starts = lines.map((line) => lineStart(line.text));
  const own = ordered ? "ordered" : "bullet";
  const allMarked = lines.every((line, i) => starts[i].kind === own);
  const start = ordered ? firstNumber(state, lines) : 0;
  const edits = lines.map((line, i) => {
    const s = starts[i];
    const at = line.from + s.quote.length;
    if (allMarked) return { from: at + s.indent.length, removed: s.marker.length, insert: "" };
    const insert = ordered ? `${start + i}. ` : "- ";
    if (blank(line)) return { from: at, removed: line.length - s.quote.length, insert };
    // A heading marker is replaced (headings are not indented); a list marker keeps its indentation.
    if (s.kind === "heading") return { from: at, removed: s.indent.length + s.marker.length, insert };
    return { from: at + s.indent.length, removed: s.marker.length, insert };
  });
  return applyLineEdits(view, edits);
}

export const toggleBulletList = (view) => toggleList(view, false);
export const toggleOrderedList = (view) => toggleList(view, true);

/** Quote: "> " in front of every line, or one level of quoting off when every line has it. */
export function toggleQuote(view) {
  const { state } = view;
  const lines = formatLines(state);
  const allQuoted = lines.every((line) => QUOTE.test(line.text));
  const edits = lines.map((line) => {
    if (allQuoted) return { from: line.from, removed: QUOTE.exec(line.text)[0].length, insert: "" };
    if (blank(line)) return { from: line.from, removed: line.length, insert: "> " };
    return { from: line.from, removed: 0, insert: "> " };
  });
  return applyLineEdits(view, edits);
}

// ----- inline formats ----------------------------------------------------------------------

/** The number of `ch` characters just before `pos` (direction -1) or from `pos` on (1). */
function runLength(state, pos, ch, direction) {
  let n = 0;
  if (direction < 0) {
    while (pos - n - 1 >= 0 && state.sliceDoc(pos - n - 1, pos - n) === ch) n++;
  } else {
    while (pos + n < state.doc.length && state.sliceDoc(pos + n, pos + n + 1) === ch) n++;
  }
  return n;
}

/** Whether a run of `n` mark characters closes/opens exactly `mark` (or bold+italic, ***). */
function runMatches(n, mark) {
  return n === mark.length || n === 3;
}

/** The parts of `range` an inline format applies to: the word at a cursor; for a selection, its
    part of each line without the line's block marker and without spaces at either end. */
function inlineSegments(state, range) {
  if (range.empty) {
    const word = state.wordAt(range.from);
    return word ? [{ from: word.from, to: word.to }] : [];
  }
  const segments = [];
  const last = state.doc.lineAt(range.to).number;
  for (let n = state.doc.lineAt(range.from).number; n <= last; n++) {
    const line = state.doc.line(n);
    const s = lineStart(line.text);
    const content = line.from + s.quote.length + s.indent.length + s.marker.length;
    let from = Math.max(range.from, content);
    let to = Math.min(range.to, line.to);
    while (from < to && /\s/.test(state.sliceDoc(from, from + 1))) from++;
    while (to > from && /\s/.test(state.sliceDoc(to - 1, to))) to--;
    if (from < to) segments.push({ from, to });
  }
  return segments;
}

/** The changes that take `mark` off `segment`, or null when it is not wrapped in `mark`. Each
    mark may be inside the segment ("**word**" selected) or just outside it; both kinds mix after a
    selection over several lines was wrapped (it starts after the first mark, ends before the last). */
function unwrapping(state, { from, to }, mark) {
  const m = mark.length;
  const ch = mark[0];
  if (to - from <= 0) return null;
  // The opening mark: inside the segment, or just before it.
  let open = null;
  if (state.sliceDoc(from, from + m) === mark && runMatches(runLength(state, from, ch, 1), mark) && runLength(state, from, ch, -1) === 0) {
    open = { from, to: from + m };
  } else if (state.sliceDoc(from - m, from) === mark && runMatches(runLength(state, from, ch, -1), mark)) {
    open = { from: from - m, to: from };
  }
  // The closing mark: inside the segment, or just after it.
  let close = null;
  if (state.sliceDoc(to - m, to) === mark && runMatches(runLength(state, to, ch, -1), mark) && runLength(state, to, ch, 1) === 0) {
    close = { from: to - m, to };
  } else if (state.sliceDoc(to, to + m) === mark && runMatches(runLength(state, to, ch, 1), mark)) {
    close = { from: to, to: to + m };
  }
  if (!open || !close || open.to > close.from || (open.to === close.from && open.from >= from)) return null;
  return [open, close];
}

/** Map a selection range through `changes`, keeping it on its text: its start moves past marks
    inserted there, its end stays before them; a cursor at the end of its word stays inside. */
function mapRange(range, changes, segments) {
  let from;
  let to;
  if (range.empty) {
    const atEnd = segments.length === 1 && range.head === segments[0].to && segments[0].from < segments[0].to;
    from = to = changes.mapPos(range.head, atEnd ? -1 : 1);
  } else {
    from = changes.mapPos(range.from, 1);
    to = Math.max(from, changes.mapPos(range.to, -1));
  }
  return range.head < range.anchor ? EditorSelection.range(to, from) : EditorSelection.range(from, to);
}

/** The changes of an inline format on each range's plan (segments to wrap or unwrap; a range
    with none gets the placeholder, or loses an empty pair of marks around its cursor). */
function inlineChanges(state, plans, mark, placeholder) {
  const m = mark.length;
  const all = plans.flatMap((plan) => plan.segments);
  const off = all.length > 0 && all.every((segment) => unwrapping(state, segment, mark));
  const changes = [];
  const done = new Set();
  for (const plan of plans) {
    const { range, segments } = plan;
    if (!segments.length) {
      const pos = range.from;
      plan.emptied = range.empty && runLength(state, pos, mark[0], -1) === m && runLength(state, pos, mark[0], 1) === m;
      plan.placeholder = !plan.emptied;
      if (plan.emptied) changes.push({ from: pos - m, to: pos + m });
      else changes.push({ from: range.to, insert: mark + placeholder + mark });
      continue;
    }
    for (const segment of segments) {
      const key = `${segment.from}:${segment.to}`;
      if (done.has(key)) continue;
      done.add(key);
      const removal = unwrapping(state, segment, mark);
      if (off) changes.push(...removal);
      else if (!removal) changes.push({ from: segment.from, insert: mark }, { from: segment.to, insert: mark });
    }
  }
  return state.changes(changes);
}

/** Bold, italic: wrap each selection (line by line) or the word at the cursor in `mark`, or take
    the marks off when every part is already wrapped; with nothing to wrap, insert the mark around
    a selected `placeholder` (or take off an empty pair of marks around the cursor). */
export function toggleInline(mark, placeholder) {
  return (view) => {
    const { state } = view;
    const plans = state.selection.ranges.map((range) => ({ range, segments: inlineSegments(state, range) }));
    const changes = inlineChanges(state, plans, mark, placeholder);
    const ranges = plans.map((plan) => {
      if (plan.placeholder) {
        const start = changes.mapPos(plan.range.to, -1) + mark.length;
        return EditorSelection.range(start, start + placeholder.length);
      }
      if (plan.emptied) return EditorSelection.cursor(changes.mapPos(plan.range.from));
      return mapRange(plan.range, changes, plan.segments);
    });
    return run(view, { changes, selection: EditorSelection.create(ranges, state.selection.mainIndex) });
  };
}

export const toggleBold = toggleInline("**", "bold text");
export const toggleItalic = toggleInline("*", "italic text");

// ----- links and tables --------------------------------------------------------------------

const URL_LIKE = /^(https?:\/\/|mailto:)\S+$/i;
const LINK = /\[([^\]\n]*)\]\(([^()\s]*)\)/g;
const URL_PLACEHOLDER = "https://";
// TRANSLATORS: put in the text as a new link's words, selected, to be typed over
const labelPlaceholder = () => gettext("link text");

/** The existing link [text](url) on the line of `range` that holds the whole range, if any. */
function linkAround(state, range) {
  const line = state.doc.lineAt(range.from);
  if (range.to > line.to) return null;
  for (const match of line.text.matchAll(LINK)) {
    const from = line.from + match.index;
    const to = from + match[0].length;
    const inside = range.empty ? range.from > from && range.to < to : range.from >= from && range.to <= to;
    if (inside) {
      const urlFrom = to - 1 - match[2].length;
      return { urlFrom, urlTo: to - 1 };
    }
  }
  return null;
}

/** One link's edit: the replaced span, the text put in, and what to select in it. */
function linkEdit(state, { from, to }) {
  const text = state.sliceDoc(from, to);
  if (URL_LIKE.test(text)) {
    const placeholder = labelPlaceholder();
    return { from, to, insert: `[${placeholder}](${text})`, select: [1, 1 + placeholder.length] };
  }
  const label = text || labelPlaceholder();
  const insert = `[${label}](${URL_PLACEHOLDER})`;
  const urlAt = label.length + 3;
  return { from, to, insert, select: text ? [urlAt, urlAt + URL_PLACEHOLDER.length] : [1, 1 + label.length] };
}

/** Link: [text](https://) with the address selected, line by line (see the top of the file). */
export function insertLink(view) {
  const { state } = view;
  const edits = [];
  const keep = [];
  const done = new Set();
  for (const range of state.selection.ranges) {
    const existing = linkAround(state, range);
    if (existing) {
      keep.push(EditorSelection.range(existing.urlFrom, existing.urlTo));
      continue;
    }
    let segments = inlineSegments(state, range);
    if (!segments.length) segments = [{ from: range.to, to: range.to }];
    for (const segment of segments) {
      const key = `${segment.from}:${segment.to}`;
      if (done.has(key)) continue;
      done.add(key);
      edits.push(linkEdit(state, segment));
    }
  }
  const changes = state.changes(edits.map(({ from, to, insert }) => ({ from, to, insert })));
  const ranges = keep.map((range) => EditorSelection.range(changes.mapPos(range.from, 1), changes.mapPos(range.to, -1)));
  for (const edit of edits) {
    const start = changes.mapPos(edit.from, -1);
    ranges.push(EditorSelection.range(start + edit.select[0], start + edit.select[1]));
  }
  return run(view, { changes, selection: EditorSelection.create(ranges, Math.min(state.selection.mainIndex, ranges.length - 1)) });
}

/** A new table, its headings and cells in the page's language: [Markdown, first heading]. */
export function tableTemplate() {
  // TRANSLATORS: the headings and cells of a new table, put in the text to be typed over
  const first = gettext("Column %(number)s", { number: 1 });
  const second = gettext("Column %(number)s", { number: 2 });
  const cell = gettext("Cell");
  return [`| ${first} | ${second} |\n| --- | --- |\n| ${cell} | ${cell} |`, first];
}

export const TABLE_TEMPLATE = "| Column 1 | Column 2 |\n| --- | --- |\n| Cell | Cell |";

/** Table: a two-column table as its own block at the cursor, "Column 1" selected. */
export function insertTable(view) {
  const { state } = view;
  const main = state.selection.main;
  // After a selection's last line (a selection ending at a line's start ends on the line before).
  const end = main.to > main.from && state.doc.lineAt(main.to).from === main.to ? main.to - 1 : main.to;
  const line = state.doc.lineAt(end);
  const isBlank = (n) => n >= 1 && n <= state.doc.lines && state.doc.line(n).text.trim() === "";
  const exists = (n) => n >= 1 && n <= state.doc.lines;
  let from, before;
  if (line.text.trim() === "") {
    from = line.from; // replace the blank line
    before = exists(line.number - 1) && !isBlank(line.number - 1) ? "\n" : "";
  } else {
    from = line.to; // after the line, separated by a blank line
    before = "\n\n";
  }
  const after = exists(line.number + 1) && !isBlank(line.number + 1) ? "\n" : "";
  const to = line.to;
  const start = from + before.length + 2;
  const [table, heading] = tableTemplate();
  return run(view, {
    changes: { from, to, insert: before + table + after },
    selection: EditorSelection.range(start, start + heading.length),
  });
}
