// Edit conflicts: the server's text with conflict markers, turned into "your text rebased on
// the current revision" plus the clashing passages, tracked while the text is edited.
import { StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";

const START = /^<{7}( |$)/;
const MIDDLE = /^={7}$/;
const END = /^>{7}( |$)/;

/** Split the marker text (as textops.three_way_merge writes it) into plain and clash parts.
    Returns null when the markers are malformed. Each part's text keeps its line breaks. */
export function parseConflicts(text) {
  const lines = text.split("\n");
  const last = lines.length - 1; // text ends with "\n": the last element is ""
  const parts = [];
  let plain = [];
  let clash = null;
  let state = "plain";
  lines.forEach((line, index) => {
    const eol = index < last ? "\n" : "";
    if (state === "plain") {
      if (START.test(line)) {
        if (plain.length) parts.push({ kind: "plain", text: plain.join("") });
        plain = [];
        clash = { kind: "clash", ours: "", theirs: "", label: line.slice(8).trim() };
        state = "ours";
      } else {
        plain.push(line + eol);
      }
    } else if (state === "ours") {
      if (MIDDLE.test(line)) state = "theirs";
      else if (START.test(line) || END.test(line)) state = "bad";
      else clash.ours += line + eol;
    } else if (state === "theirs") {
      if (END.test(line)) {
        clash.theirsLabel = line.slice(8).trim();
        parts.push(clash);
        clash = null;
        state = "plain";
      } else if (START.test(line) || MIDDLE.test(line)) state = "bad";
      else clash.theirs += line + eol;
    }
  });
  if (state !== "plain") return null;
  if (plain.length) parts.push({ kind: "plain", text: plain.join("") });
  return parts;
}

/** The text with every clash resolved to `choice` ("ours", "theirs" or "both"), and where
    each clash lies in it: [{from, to, ours, theirs}]. */
export function resolveConflicts(parts, choice = "ours") {
  let text = "";
  const clashes = [];
  for (const part of parts) {
    if (part.kind === "plain") {
      text += part.text;
      continue;
    }
    const from = text.length;
    text += choiceText(part, choice);
    clashes.push({ from, to: text.length, ours: part.ours, theirs: part.theirs });
  }
  return { text, clashes };
}

export function choiceText(clash, choice) {
  if (choice === "theirs") return clash.theirs;
  if (choice === "both") return clash.ours + clash.theirs;
  return clash.ours;
}

/** Set the clash ranges (an array of {from, to}). */
export const setClashes = StateEffect.define();

/** Where the clashes are now: their ranges follow every edit (a replacement of a whole clash
    becomes the new clash). */
export const clashField = StateField.define({
  create: () => [],
  update(ranges, tr) {
    for (const effect of tr.effects) if (effect.is(setClashes)) return effect.value;
    if (!tr.docChanged) return ranges;
    return ranges.map(({ from, to }) => {
      const a = tr.changes.mapPos(from, -1);
      const b = tr.changes.mapPos(to, 1);
      return { from: a, to: Math.max(a, b) };
    });
  },
  provide: (field) =>
    EditorView.decorations.compute([field], (state) => {
      const builder = new RangeSetBuilder();
      const doc = state.doc;
      let done = 0;
      const ranges = [...state.field(field)].sort((x, y) => x.from - y.from);
      for (const { from, to } of ranges) {
        if (to <= from) continue;
        const first = Math.max(doc.lineAt(from).number, done + 1);
        const last = doc.lineAt(Math.max(from, to - 1)).number;
        done = Math.max(done, last);
        for (let n = first; n <= last; n++) {
          builder.add(doc.line(n).from, doc.line(n).from, Decoration.line({ class: "cw-clash-line" }));
        }
      }
      return builder.finish();
    }),
});
