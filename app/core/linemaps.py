"""Following comment anchors and amendment ranges from one revision to the next.

A range *follows* a new revision only when all of its lines survive
unchanged and stay consecutive (:func:`map_range`); otherwise it is outdated
(``None``).  An insertion point survives when the lines on both sides of it
survive and are still adjacent, the start and the end of the text counting
as lines 0 and ``n + 1``.  So a point survives only when nothing was
inserted at that very spot and neither neighbour was edited or deleted.

Lines and ranges follow the conventions of :mod:`.textlines`.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping

from .textlines import check_range, is_insertion, line_matcher, split_lines

__all__ = ["LineMap", "line_map", "map_range", "rebase_range", "remap_anchor"]


class LineMap(dict):
    """``dict`` of old line number -> new line number for unchanged lines.

    Also remembers ``old_count`` and ``new_count`` (the lengths of both
    texts), which :func:`map_range` needs for insertion points at the end.
    """

    def __init__(self, pairs: Iterable[tuple[int, int]] = (), *, old_count: int, new_count: int):
        super().__init__(pairs)
        self.old_count = old_count
        self.new_count = new_count


#: From this length on, line_map aligns in two passes (difflib alone took 0.28 s for 5,000 lines).
FAST_ALIGNMENT_LINES = 1000


def line_map(old: str, new: str) -> LineMap:
    """Map every unchanged line of ``old`` to its line number in ``new``.

    Unchanged lines are those in the equal blocks of
    ``difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)``, or for texts of
    FAST_ALIGNMENT_LINES lines or more, of :func:`matching_blocks` (the same alignment made fast
    for many paragraph breaks); the map is strictly increasing.
    """
    old_lines, new_lines = split_lines(old), split_lines(new)
    if max(len(old_lines), len(new_lines)) >= FAST_ALIGNMENT_LINES:
        blocks = matching_blocks(old_lines, new_lines)
    else:
        blocks = line_matcher(None, old_lines, new_lines).get_matching_blocks()
    pairs = ((i + k + 1, j + k + 1) for i, j, size in blocks for k in range(size))
    return LineMap(pairs, old_count=len(old_lines), new_count=len(new_lines))


def _blank_keys(lines: list[str]) -> list:
    """Each line, except that a blank line becomes (blank, the non-blank line above it)."""
    keys, above = [], None
    for line in lines:
        if line.strip():
            keys.append(line)
            above = line
        else:
            keys.append((line, above))
    return keys


def matching_blocks(old_lines: list[str], new_lines: list[str]) -> Iterator[tuple[int, int, int]]:
    """(i, j, size) runs of equal lines, in order: SequenceMatcher's alignment, in two passes.

    SequenceMatcher is quadratic in a line repeated many times, and every paragraph break is the
    same blank line: a 5,000-line text took 0.28 s. So the texts are aligned first with each
    blank line told apart by the line above it (nearly every line then unique: 10 ms), and only
    the gaps between those runs, where the text changed, are aligned line by line. On texts of
    sentences the two differ in about one case in a thousand, by a line more or less kept."""
    start_old = start_new = 0
    coarse = line_matcher(None, _blank_keys(old_lines), _blank_keys(new_lines)).get_matching_blocks()
    for i, j, size in coarse:
        if i > start_old and j > start_new:
            gap = line_matcher(None, old_lines[start_old:i], new_lines[start_new:j])
            for x, y, n in gap.get_matching_blocks():
                if n:
                    yield start_old + x, start_new + y, n
        if size:
            yield i, j, size
        start_old, start_new = i + size, j + size


def _map_lines(mapping: Mapping[int, int], line_start: int, line_end: int) -> tuple[int, int] | None:
    """Follow the range ``line_start..line_end``: every line mapped, still consecutive."""
    first = mapping.get(line_start)
    if first is None:
        return None
    for offset in range(1, line_end - line_start + 1):
        if mapping.get(line_start + offset) != first + offset:
            return None
    return first, first + line_end - line_start


def _map_point(
    mapping: Mapping[int, int], line_start: int, old_count: int | None, new_count: int | None
) -> tuple[int, int] | None:
    """Follow the insertion point before ``line_start``: both neighbours mapped, still adjacent."""
    above = 0 if line_start == 1 else mapping.get(line_start - 1)
    if old_count is not None and line_start == old_count + 1:
        below = None if new_count is None else new_count + 1
    else:
        below = mapping.get(line_start)
    if above is None or below is None or below != above + 1:
        return None
    return below, above


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
    check_range(line_start, line_end, old_count)
    if is_insertion(line_start, line_end):
        return _map_point(mapping, line_start, old_count, new_count)
    return _map_lines(mapping, line_start, line_end)


def remap_anchor(old_body: str, new_body: str, line_start: int, line_end: int) -> tuple[int, int] | None:
    """Where a comment anchored in ``old_body`` sits in ``new_body`` (``None`` when outdated)."""
    return map_range(line_map(old_body, new_body), line_start, line_end)


def rebase_range(old_body: str, new_body: str, line_start: int, line_end: int) -> tuple[int, int] | None:
    """Move an amendment's range (or insertion point) from ``old_body`` to ``new_body``.

    Same rules as :func:`map_range`: ``None`` when the lines it replaces
    changed, or something was inserted at its insertion point.
    """
    return remap_anchor(old_body, new_body, line_start, line_end)
