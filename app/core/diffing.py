"""Line diffs of two policy texts: unified diff, hunks and side-by-side rows.

Every diff here uses the same line alignment (:data:`.textlines.line_matcher`,
autojunk off); replaced lines in side-by-side rows get a word-level diff
(:func:`.worddiff.word_diff`).  Long diffs are paged (:func:`page_of_rows`)
and their rows clipped (:func:`clip_row`) to bound the size of a page.
"""

from __future__ import annotations

import copy
import difflib
import functools
from dataclasses import dataclass, replace

from .textlines import line_matcher, split_lines
from .worddiff import word_diff

__all__ = [
    "ROW_MAX_CHARS",
    "ROWS_PER_PAGE",
    "WORD_DIFF_MAX_CHARS",
    "Row",
    "clip_row",
    "diff_hunks",
    "page_of_rows",
    "side_by_side",
    "unified_diff",
]


@functools.lru_cache(maxsize=2)
def _alignment(a: str, b: str) -> tuple[list[str], list[str], difflib.SequenceMatcher, tuple]:
    a_lines, b_lines = split_lines(a), split_lines(b)
    matcher = line_matcher(None, a_lines, b_lines)
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
