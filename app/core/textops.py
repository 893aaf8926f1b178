"""Pure text operations for Commonwright policy texts.

Nothing here touches Flask, the database or the rest of the app: the module
works on plain strings with the standard library, ``merge3`` and
``fast_diff_match_patch``.

Conventions
-----------
* A *body* is Markdown with one sentence per line.  A *line* is a line of
  the source, numbered from 1.  Stored bodies are normalised (see
  :func:`normalize_body`).  Functions that read a body split it with
  :func:`split_lines` (which also accepts CRLF/CR endings); functions that
  produce a body return it normalised.
* A *range* ``(line_start, line_end)`` is 1-based and inclusive.  An
  *insertion point* before line ``k`` is ``(k, k - 1)``; the end of an
  ``n``-line text is ``(n + 1, n)``.  In an ``n``-line text a range is valid
  when ``1 <= line_start``, ``line_end <= n`` and
  ``line_start <= line_end + 1`` (hence ``line_start <= n + 1``).

Anchors (comments) and amendments
---------------------------------
A range *follows* a new revision only when all of its lines survive
unchanged and stay consecutive (:func:`map_range`); otherwise it is outdated
(``None``).  An insertion point survives when the lines on both sides of it
survive and are still adjacent, the start and the end of the text counting
as lines 0 and ``n + 1``.  So a point survives only when nothing was
inserted at that very spot and neither neighbour was edited or deleted.

Rival rule
----------
Two changes are rivals (:func:`ranges_conflict`) when their line ranges
overlap, or when both are insertions at the same point.  An insertion
before line ``k`` is a rival of a replacement of ``s..e`` only when
``s < k <= e`` (it falls strictly inside the replaced block); at the top
edge (``k == s``) or just below (``k == e + 1``) both apply, the insertion
landing outside the replaced block.  Note that :func:`three_way_merge` is
stricter: merge3 also reports *adjacent* edits (with no unchanged line
between them) as a conflict.
"""

from __future__ import annotations

import copy
import difflib
import functools
import itertools
import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

import fast_diff_match_patch
import merge3

__all__ = [
    "Change",
    "LineMap",
    "MergeResult",
    "OverlapError",
    "Row",
    "apply_changes",
    "count_lines",
    "diff_hunks",
    "join_lines",
    "line_map",
    "map_range",
    "normalize_body",
    "quote_of",
    "ranges_conflict",
    "rebase_change",
    "rebase_range",
    "remap_anchor",
    "side_by_side",
    "split_lines",
    "three_way_merge",
    "unified_diff",
    "word_diff",
    "page_of_rows",
    "clip_row",
]

# Every line alignment in this module uses the same matcher.  autojunk is off
# so that frequent lines (blank lines in long texts) are never ignored.
_matcher = functools.partial(difflib.SequenceMatcher, autojunk=False)


# --------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_body(text: str) -> str:
    """Return ``text`` in the stored form of a body.

    CRLF and lone CR become LF; lines are otherwise kept exactly as typed
    (no whitespace is stripped inside or at the end of a line).  A non-empty
    result ends with exactly one ``"\\n"``: a missing final newline is added
    and trailing blank lines are dropped.  ``""``, and a text made only of
    line breaks, normalise to ``""``.
    """
    text = _lf(text).rstrip("\n")
    return text + "\n" if text else ""


def split_lines(body: str) -> list[str]:
    """Split a body into its lines, without newline characters.

    CRLF/CR count as line breaks; the final line break is optional.
    ``""`` gives ``[]``.  Exact inverse of :func:`join_lines`.
    """
    body = _lf(body)
    if not body:
        return []
    lines = body.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def count_lines(body: str) -> int:
    """Number of lines of a body (``len(split_lines(body))``)."""
    return len(split_lines(body))


def join_lines(lines: Iterable[str]) -> str:
    """Join lines into a body: each line followed by ``"\\n"``; ``[]`` gives ``""``."""
    return "".join(line + "\n" for line in lines)


def _check_range(line_start: int, line_end: int, n: int | None) -> None:
    """Raise ValueError unless (line_start, line_end) is a valid range of an n-line text."""
    if line_start < 1 or line_start > line_end + 1:
        raise ValueError(f"invalid range {line_start}..{line_end}")
    if n is not None and line_end > n:
        raise ValueError(f"range {line_start}..{line_end} outside a {n}-line text")


def _is_insertion(line_start: int, line_end: int) -> bool:
    return line_end == line_start - 1


def quote_of(body: str, line_start: int, line_end: int) -> str:
    """The lines ``line_start..line_end`` joined with ``"\\n"`` (``""`` for an insertion point)."""
    lines = split_lines(body)
    _check_range(line_start, line_end, len(lines))
    return "\n".join(lines[line_start - 1 : line_end])


# --------------------------------------------------------------------------
# Following anchors and amendments across revisions
# --------------------------------------------------------------------------


class LineMap(dict):
    """``dict`` of old line number -> new line number for unchanged lines.

    Also remembers ``old_count`` and ``new_count`` (the lengths of both
    texts), which :func:`map_range` needs for insertion points at the end.
    """

    def __init__(self, pairs: Iterable[tuple[int, int]] = (), *, old_count: int, new_count: int):
        super().__init__(pairs)
        self.old_count = old_count
        self.new_count = new_count


def line_map(old: str, new: str) -> LineMap:
    """Map every unchanged line of ``old`` to its line number in ``new``.

    Unchanged lines are those in the equal blocks of
    ``difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)``;
    the map is strictly increasing.
    """
    old_lines, new_lines = split_lines(old), split_lines(new)
    blocks = _matcher(None, old_lines, new_lines).get_matching_blocks()
    pairs = ((i + k + 1, j + k + 1) for i, j, size in blocks for k in range(size))
    return LineMap(pairs, old_count=len(old_lines), new_count=len(new_lines))


def map_range(
    mapping: Mapping[int, int],
    line_start: int,
    line_end: int,
    *,
    old_count: int | None = None,
    new_count: int | None = None,
) -> tuple[int, int] | None:
    """Follow a range (or insertion point) through ``mapping``; ``None`` if outdated.

    A range ``s..e`` follows when every line of it is mapped and the mapped
    lines are still consecutive.  An insertion point before line ``s``
    follows when its neighbours ``s - 1`` and ``s`` are mapped and still
    adjacent; the text's start and end act as lines ``0 -> 0`` and
    ``old_count + 1 -> new_count + 1``.  So ``(1, 0)`` follows when old line
    1 is new line 1, the end point when the last lines correspond, and the
    point of an empty text only into an empty text.

    ``old_count``/``new_count`` default to the attributes of a
    :class:`LineMap`; with a plain dict and no counts the end of the text is
    unknown and an insertion point there is reported outdated.
    """
    if old_count is None:
        old_count = getattr(mapping, "old_count", None)
    if new_count is None:
        new_count = getattr(mapping, "new_count", None)
    _check_range(line_start, line_end, old_count)

    if not _is_insertion(line_start, line_end):
        first = mapping.get(line_start)
        if first is None:
            return None
        for offset in range(1, line_end - line_start + 1):
            if mapping.get(line_start + offset) != first + offset:
                return None
        return first, first + line_end - line_start

    above = 0 if line_start == 1 else mapping.get(line_start - 1)
    if old_count is not None and line_start == old_count + 1:
        below = None if new_count is None else new_count + 1
    else:
        below = mapping.get(line_start)
    if above is None or below is None or below != above + 1:
        return None
    return below, above


def remap_anchor(old_body: str, new_body: str, line_start: int, line_end: int) -> tuple[int, int] | None:
    """Where a comment anchored in ``old_body`` sits in ``new_body`` (``None`` when outdated)."""
    return map_range(line_map(old_body, new_body), line_start, line_end)


def rebase_range(old_body: str, new_body: str, line_start: int, line_end: int) -> tuple[int, int] | None:
    """Move an amendment's range (or insertion point) from ``old_body`` to ``new_body``.

    Same rules as :func:`map_range`: ``None`` when the lines it replaces
    changed, or something was inserted at its insertion point.
    """
    return remap_anchor(old_body, new_body, line_start, line_end)


# --------------------------------------------------------------------------
# Changes (amendments)
# --------------------------------------------------------------------------


class OverlapError(ValueError):
    """Two changes are rivals (see :func:`ranges_conflict`)."""


@dataclass(frozen=True)
class Change:
    """Replace lines ``line_start..line_end`` by ``replacement``.

    ``replacement == ""`` deletes the range; with ``line_end == line_start - 1``
    the replacement's lines are inserted before ``line_start``.  The
    replacement is read with :func:`split_lines`: ``"x"`` and ``"x\\n"`` are
    one line, ``"\\n"`` is one blank line.
    """

    line_start: int
    line_end: int
    replacement: str

    @property
    def is_insertion(self) -> bool:
        return _is_insertion(self.line_start, self.line_end)


def ranges_conflict(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """The rival rule: overlapping ranges, or two insertions at the same point.

    Two ranges overlap when ``a_start <= b_end and b_start <= a_end``.  The
    same test, applied to an insertion point ``(k, k - 1)`` and a range
    ``s..e``, is true exactly when ``s < k <= e``: an insertion strictly
    inside a replaced block is a rival, one at its top edge or just below it
    is not.  Two insertion points conflict only when they are equal.
    """
    if _is_insertion(a_start, a_end) and _is_insertion(b_start, b_end):
        return a_start == b_start
    return a_start <= b_end and b_start <= a_end


def apply_changes(body: str, changes: Iterable[Change]) -> str:
    """Apply non-rival changes, all expressed against ``body``; return the normalised result.

    Raises ``ValueError`` for a range outside ``body`` and
    :class:`OverlapError` when two changes are rivals.  The result does not
    depend on the order of ``changes``: they are applied bottom-up, sorted by
    ``(line_start, line_end)`` descending, so an insertion at the top edge
    of a replaced block ends up above the replacement.
    """
    lines = split_lines(body)
    changes = list(changes)
    for change in changes:
        _check_range(change.line_start, change.line_end, len(lines))
    for a, b in itertools.combinations(changes, 2):
        if ranges_conflict(a.line_start, a.line_end, b.line_start, b.line_end):
            raise OverlapError(
                f"changes {a.line_start}..{a.line_end} and {b.line_start}..{b.line_end} overlap"
            )
    for change in sorted(changes, key=lambda c: (c.line_start, c.line_end), reverse=True):
        lines[change.line_start - 1 : change.line_end] = split_lines(change.replacement)
    return normalize_body(join_lines(lines))


def rebase_change(old_body: str, new_body: str, change: Change) -> Change | None:
    """``change`` moved from ``old_body`` onto ``new_body`` (``None`` when outdated)."""
    moved = rebase_range(old_body, new_body, change.line_start, change.line_end)
    return None if moved is None else Change(moved[0], moved[1], change.replacement)


# --------------------------------------------------------------------------
# Three-way merge
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    """Result of :func:`three_way_merge`; ``conflicts`` counts conflict blocks."""

    clean: bool
    text: str
    conflicts: int


def three_way_merge(
    base: str,
    ours: str,
    theirs: str,
    ours_label: str = "your edit",
    theirs_label: str = "current revision",
) -> MergeResult:
    """Merge the changes ``base -> ours`` and ``base -> theirs`` line by line (merge3).

    Identical changes on both sides merge cleanly.  Each conflict is written
    as ``<<<<<<< {ours_label}`` / our lines / ``=======`` / their lines /
    ``>>>>>>> {theirs_label}``.  The three inputs are normalised first (so
    stray trailing blank lines never conflict) and so is the result.
    """
    base_lines, our_lines, their_lines = (split_lines(normalize_body(t)) for t in (base, ours, theirs))
    merger = merge3.Merge3(base_lines, our_lines, their_lines, sequence_matcher=_matcher)
    out: list[str] = []
    conflicts = 0
    for group in merger.merge_groups():
        if group[0] == "conflict":
            conflicts += 1
            out.append(f"<<<<<<< {ours_label}".rstrip())
            out.extend(group[2])
            out.append("=======")
            out.extend(group[3])
            out.append(f">>>>>>> {theirs_label}".rstrip())
        else:
            out.extend(group[1])
    return MergeResult(clean=conflicts == 0, text=normalize_body(join_lines(out)), conflicts=conflicts)


# --------------------------------------------------------------------------
# Diffs
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _alignment(a: str, b: str) -> tuple[list[str], list[str], difflib.SequenceMatcher, tuple]:
    a_lines, b_lines = split_lines(a), split_lines(b)
    matcher = _matcher(None, a_lines, b_lines)
    return a_lines, b_lines, matcher, tuple(matcher.get_opcodes())


def _aligned(a: str, b: str) -> tuple[list[str], list[str], difflib.SequenceMatcher]:
    """The lines of ``a`` and ``b`` and a matcher with their opcodes already
    computed: the alignment is kept for the last two pairs, since a diff page
    asks for the hunks, the unified text and the rows of the same pair and
    aligning two long texts is the costly part.  Each caller gets its own copy
    of the matcher (``get_grouped_opcodes`` edits the opcodes in place)."""
    a_lines, b_lines, matcher, opcodes = _alignment(a, b)
    fresh = copy.copy(matcher)
    fresh.opcodes = list(opcodes)
    return a_lines, b_lines, fresh


def _hunk_start(lo: int, hi: int) -> int:
    """Start number as printed in a unified-diff header (difflib convention)."""
    return lo + 1 if hi > lo else lo


def _header_range(start: int, length: int) -> str:
    return str(start) if length == 1 else f"{start},{length}"


def diff_hunks(a: str, b: str, context: int = 3) -> list[dict]:
    """The hunks of the unified diff of ``a`` -> ``b``.

    Each hunk is ``{"from_start", "from_lines", "to_start", "to_lines",
    "lines"}`` with the numbers exactly as in the ``@@`` header (for an empty
    side, ``*_start`` is the line *after which* the hunk goes, as in difflib)
    and ``lines`` prefixed with ``" "``, ``"-"`` or ``"+"``.
    """
    a_lines, b_lines, matcher = _aligned(a, b)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        lines: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + line for line in a_lines[i1:i2])
                continue
            lines.extend("-" + line for line in a_lines[i1:i2])
            lines.extend("+" + line for line in b_lines[j1:j2])
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        hunks.append(
            {
                "from_start": _hunk_start(i1, i2),
                "from_lines": i2 - i1,
                "to_start": _hunk_start(j1, j2),
                "to_lines": j2 - j1,
                "lines": lines,
            }
        )
    return hunks


def unified_diff(a: str, b: str, from_label: str = "a", to_label: str = "b", context: int = 3) -> str:
    """Unified diff text of ``a`` -> ``b`` (``""`` when equal).

    Same text as ``difflib.unified_diff(..., lineterm="")`` joined with
    newlines, but built from :func:`diff_hunks` so that it uses the same
    alignment (autojunk off) as everything else here.
    """
    hunks = diff_hunks(a, b, context)
    if not hunks:
        return ""
    out = [f"--- {from_label}", f"+++ {to_label}"]
    for h in hunks:
        out.append(
            f"@@ -{_header_range(h['from_start'], h['from_lines'])}"
            f" +{_header_range(h['to_start'], h['to_lines'])} @@"
        )
        out.extend(h["lines"])
    return "\n".join(out) + "\n"


# Words, whitespace runs and single punctuation characters.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_PUA_START, _PUA_SIZE = 0xE000, 0xF8FF - 0xE000 + 1  # BMP private-use area
_DMP_OPS = {"=": "equal", "-": "delete", "+": "insert"}


def _token_pieces_dmp(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    codes = {tok: chr(_PUA_START + i) for i, tok in enumerate(dict.fromkeys(old_tokens + new_tokens))}
    tokens = {code: tok for tok, code in codes.items()}
    ops = fast_diff_match_patch.diff(
        "".join(codes[t] for t in old_tokens),
        "".join(codes[t] for t in new_tokens),
        checklines=False,
        cleanup="Semantic",
        counts_only=False,
    )
    return [(_DMP_OPS[op], "".join(tokens[c] for c in chunk)) for op, chunk in ops]


def _token_pieces_difflib(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    pieces = []
    for tag, i1, i2, j1, j2 in _matcher(None, old_tokens, new_tokens).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(old_tokens[i1:i2])))
        else:
            pieces.append(("delete", "".join(old_tokens[i1:i2])))
            pieces.append(("insert", "".join(new_tokens[j1:j2])))
    return pieces


def word_diff(old_line: str, new_line: str) -> list[tuple[str, str]]:
    """Word-level diff of two lines as ``[(op, text)]``, op in equal/delete/insert.

    Lines are split into tokens (words, whitespace runs, single punctuation
    characters); each distinct token is mapped to one private-use character
    and the encoded strings are diffed by diff-match-patch with semantic
    cleanup (its documented "word mode" trick), so edits never split a word
    and scattered one-word equalities are folded into readable blocks.
    Above 6400 distinct tokens difflib on the token lists is used instead.
    Equal + delete pieces rebuild ``old_line``; equal + insert rebuild
    ``new_line``.  Adjacent pieces never share an op; no piece is empty.
    """
    old_tokens, new_tokens = _TOKEN.findall(old_line), _TOKEN.findall(new_line)
    if len(set(old_tokens) | set(new_tokens)) <= _PUA_SIZE:
        pieces = _token_pieces_dmp(old_tokens, new_tokens)
    else:
        pieces = _token_pieces_difflib(old_tokens, new_tokens)
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


@dataclass(frozen=True)
class Row:
    """One row of a side-by-side diff.

    ``kind`` is ``"equal"``, ``"replace"`` (``words`` holds the
    :func:`word_diff` of the pair), ``"delete"`` (old side only),
    ``"insert"`` (new side only) or, only when a ``context`` is given,
    ``"skip"``: ``skipped`` unchanged lines hidden, starting at
    ``old_no``/``new_no`` (texts are ``None``).  ``clipped`` rows were cut by
    :func:`clip_row`.  A replaced pair longer than :data:`WORD_DIFF_MAX_CHARS`
    in all gets one delete and one insert piece instead of a word diff.
    """

    kind: str
    old_no: int | None = None
    old_text: str | None = None
    new_no: int | None = None
    new_text: str | None = None
    words: tuple[tuple[str, str], ...] = ()
    skipped: int = 0
    clipped: bool = False


#: Longest replaced pair (old + new characters) that gets a word-level diff.
WORD_DIFF_MAX_CHARS = 20_000
#: Rows per page of a long diff (:func:`page_of_rows`), characters kept per
#: side of a row (:func:`clip_row`).
ROWS_PER_PAGE = 400
ROW_MAX_CHARS = 1_000


def _line_pieces(old: str, new: str) -> tuple[tuple[str, str], ...]:
    if len(old) + len(new) > WORD_DIFF_MAX_CHARS:
        return tuple((op, text) for op, text in (("delete", old), ("insert", new)) if text)
    return tuple(word_diff(old, new))


def page_of_rows(rows: list[Row], page: int, per_page: int = ROWS_PER_PAGE) -> tuple[list[Row], int, int]:
    """``(rows of page, page, pages)``: page ``page`` (1-based, clamped to the
    existing pages) of at most ``per_page`` rows."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return rows[(page - 1) * per_page : page * per_page], page, pages


def _clip(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[:limit]


def _clip_pieces(words: tuple[tuple[str, str], ...], limit: int) -> tuple[tuple[str, str], ...]:
    kept, used = [], {"delete": 0, "insert": 0}
    for op, text in words:
        sides = ("delete", "insert") if op == "equal" else (op,)
        room = min(limit - used[side] for side in sides)
        if room <= 0:
            continue
        kept.append((op, text[:room]))
        for side in sides:
            used[side] += len(text[:room])
    return tuple(kept)


def clip_row(row: Row, limit: int = ROW_MAX_CHARS) -> Row:
    """``row`` with each side cut to ``limit`` characters (``clipped`` when
    anything was cut), to bound the size of a diff page."""
    sides = [t for t in (row.old_text, row.new_text) if t is not None]
    if all(len(text) <= limit for text in sides):
        return row
    return replace(
        row,
        old_text=_clip(row.old_text, limit),
        new_text=_clip(row.new_text, limit),
        words=_clip_pieces(row.words, limit),
        clipped=True,
    )


def _rows(tag: str, a_lines: list[str], b_lines: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    rows = []
    for k in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + k, j1 + k
        has_old, has_new = i < i2, j < j2
        if has_old and has_new:
            old, new = a_lines[i], b_lines[j]
            if tag == "equal":
                rows.append(Row("equal", i + 1, old, j + 1, new))
            else:
                rows.append(Row("replace", i + 1, old, j + 1, new, _line_pieces(old, new)))
        elif has_old:
            rows.append(Row("delete", old_no=i + 1, old_text=a_lines[i]))
        else:
            rows.append(Row("insert", new_no=j + 1, new_text=b_lines[j]))
    return rows


def side_by_side(a: str, b: str, context: int | None = None) -> list[Row]:
    """Rows for a two-column diff of ``a`` -> ``b``.

    ``context=None`` lists every line; otherwise only hunks with ``context``
    unchanged lines around changes are listed and each hidden run becomes one
    ``"skip"`` row.  Lines of a replaced block are paired one to one; when
    the block sizes differ the extra lines become delete/insert rows.
    """
    a_lines, b_lines, matcher = _aligned(a, b)
    groups = [matcher.get_opcodes()] if context is None else list(matcher.get_grouped_opcodes(context))
    rows: list[Row] = []
    seen_a = seen_b = 0
    for group in groups:
        if not group:
            continue
        _, i1, _, j1, _ = group[0]
        if i1 > seen_a:
            rows.append(Row("skip", old_no=seen_a + 1, new_no=seen_b + 1, skipped=i1 - seen_a))
        for opcode in group:
            rows.extend(_rows(opcode[0], a_lines, b_lines, *opcode[1:]))
        seen_a, seen_b = group[-1][2], group[-1][4]
    if seen_a < len(a_lines):
        rows.append(Row("skip", old_no=seen_a + 1, new_no=seen_b + 1, skipped=len(a_lines) - seen_a))
    return rows
