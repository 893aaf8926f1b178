// Markdown formatting commands for the toolbar and the keyboard shortcuts.
// Each is a CodeMirror command: (view) => boolean. They work on every selection range
// and are undoable in one step.
import { EditorSelection } from "@codemirror/state";

const HEADING = /^(#{1,6})[ \t]+/;
const BULLET = /^(\s*)[-*+][ \t]+/;
const ORDERED = /^(\s*)\d{1,9}[.)][ \t]+/;

function run(view, spec) {
  if (view.state.readOnly) return false;
  view.dispatch(view.state.update(spec, { scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

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

/** Wrap each selection in `mark` (** or *), or unwrap it when it is already wrapped.
    An empty selection takes the word around the cursor, or a selected placeholder. */
export function toggleInline(mark, placeholder) {
  const ch = mark[0];
  return (view) => {
    const { state } = view;
    const tr = state.changeByRange((range) => {
      let { from, to } = range;
      if (from === to) {
        const word = state.wordAt(from);
        if (word) ({ from, to } = word);
      }
      const text = state.sliceDoc(from, to);
      const m = mark.length;
      // The marks are inside the selection: "**word**" selected.
      if (
        text.length > 2 * m &&
        text.startsWith(mark) &&
        text.endsWith(mark) &&
        runMatches(text.length - text.replace(new RegExp(`^\\${ch}+`), "").length, mark) &&
        runMatches(text.length - text.replace(new RegExp(`\\${ch}+$`), "").length, mark)
      ) {
        return {
          changes: [{ from, to: from + m }, { from: to - m, to }],
          range: EditorSelection.range(from, to - 2 * m),
        };
      }
      // The marks surround the selection.
      if (
        runMatches(runLength(state, from, ch, -1), mark) &&
        runMatches(runLength(state, to, ch, 1), mark) &&
        state.sliceDoc(from - m, from) === mark &&
        state.sliceDoc(to, to + m) === mark
      ) {
        return {
          changes: [{ from: from - m, to: from }, { from: to, to: to + m }],
          range: EditorSelection.range(from - m, to - m),
        };
      }
      if (from === to) {
        return {
          changes: { from, insert: mark + placeholder + mark },
          range: EditorSelection.range(from + m, from + m + placeholder.length),
        };
      }
      return {
        changes: [{ from, insert: mark }, { from: to, insert: mark }],
        range: EditorSelection.range(from + m, to + m),
      };
    });
    return run(view, tr);
  };
}

export const toggleBold = toggleInline("**", "bold text");
export const toggleItalic = toggleInline("*", "italic text");

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

/** Heading: none → ## → ### → none (a level-1 title becomes ##). */
export function toggleHeading(view) {
  const { state } = view;
  const changes = selectedLines(state).map((line) => {
    const match = HEADING.exec(line.text);
    if (!match) return { from: line.from, insert: "## " };
    const level = match[1].length;
    const insert = level < 3 ? "#".repeat(level + 1) + " " : "";
    return { from: line.from, to: line.from + match[0].length, insert };
  });
  return run(view, { changes });
}

function toggleList(view, ordered) {
  const { state } = view;
  const lines = selectedLines(state).filter((line) => line.text.trim() !== "");
  if (!lines.length) {
    const line = state.doc.lineAt(state.selection.main.head);
    return run(view, { changes: { from: line.from, insert: ordered ? "1. " : "- " } });
  }
  const own = ordered ? ORDERED : BULLET;
  const other = ordered ? BULLET : ORDERED;
  const allMarked = lines.every((line) => own.test(line.text));
  const changes = lines.map((line, index) => {
    const mine = own.exec(line.text);
    if (allMarked) return { from: line.from + mine[1].length, to: line.from + mine[0].length, insert: "" };
    const marker = ordered ? `${index + 1}. ` : "- ";
    const found = mine || other.exec(line.text);
    if (found) return { from: line.from + found[1].length, to: line.from + found[0].length, insert: marker };
    return { from: line.from, insert: marker };
  });
  return run(view, { changes });
}

export const toggleBulletList = (view) => toggleList(view, false);
export const toggleOrderedList = (view) => toggleList(view, true);

const URL_LIKE = /^(https?:\/\/|mailto:)\S+$/i;

/** Link: [text](https://) with the URL selected; a selected URL becomes [link text](URL). */
export function insertLink(view) {
  const { state } = view;
  const tr = state.changeByRange((range) => {
    const text = state.sliceDoc(range.from, range.to);
    if (URL_LIKE.test(text)) {
      const insert = `[link text](${text})`;
      return {
        changes: { from: range.from, to: range.to, insert },
        range: EditorSelection.range(range.from + 1, range.from + 10),
      };
    }
    const label = text || "link text";
    const insert = `[${label}](https://)`;
    const urlFrom = range.from + label.length + 3;
    return {
      changes: { from: range.from, to: range.to, insert },
      range: text
        ? EditorSelection.range(urlFrom, urlFrom + 8)
        : EditorSelection.range(range.from + 1, range.from + 1 + label.length),
    };
  });
  return run(view, tr);
}

export const TABLE_TEMPLATE = "| Column 1 | Column 2 |\n| --- | --- |\n| Cell | Cell |";

/** Table: a two-column table as its own block at the cursor, "Column 1" selected. */
export function insertTable(view) {
  const { state } = view;
  const line = state.doc.lineAt(state.selection.main.head);
  const blank = (n) => n >= 1 && n <= state.doc.lines && state.doc.line(n).text.trim() === "";
  const exists = (n) => n >= 1 && n <= state.doc.lines;
  let from, before;
  if (line.text.trim() === "") {
    from = line.from; // replace the blank line
    before = exists(line.number - 1) && !blank(line.number - 1) ? "\n" : "";
  } else {
    from = line.to; // after the line, separated by a blank line
    before = "\n\n";
  }
  const after = exists(line.number + 1) && !blank(line.number + 1) ? "\n" : "";
  const to = line.to;
  const start = from + before.length + 2;
  return run(view, {
    changes: { from, to, insert: before + TABLE_TEMPLATE + after },
    selection: EditorSelection.range(start, start + "Column 1".length),
  });
}
