"""Changes to a policy text (amendments): rivals, applying several at once, rebasing.

Rival rule
----------
Two changes are rivals (:func:`ranges_conflict`) when their line ranges
overlap, or when both are insertions at the same point.  An insertion
before line ``k`` is a rival of a replacement of ``s..e`` only when
``s < k <= e`` (it falls strictly inside the replaced block); at the top
edge (``k == s``) or just below (``k == e + 1``) both apply, the insertion
landing outside the replaced block.  Note that
:func:`.merging.three_way_merge` is stricter: merge3 also reports *adjacent*
edits (with no unchanged line between them) as a conflict.

Lines and ranges follow the conventions of :mod:`.textlines`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable

from .linemaps import rebase_range
from .textlines import check_range, is_insertion, join_lines, normalize_body, split_lines

__all__ = ["Change", "OverlapError", "apply_changes", "ranges_conflict", "rebase_change"]


class OverlapError(ValueError):
    """Two changes are rivals (see :func:`ranges_conflict`)."""


@dataclass(frozen=True)
class Change:
    """Replace lines ``line_start..line_end`` by ``replacement``.

    ``replacement == ""`` deletes the range; with ``line_end == line_start - 1``
    the replacement's lines are inserted before ``line_start``.  The
    replacement is read with :func:`.textlines.split_lines`: ``"x"`` and ``"x\\n"``
    are one line, ``"\\n"`` is one blank line.
    """

    line_start: int
    line_end: int
    replacement: str

    @property
    def is_insertion(self) -> bool:
        return is_insertion(self.line_start, self.line_end)


def ranges_conflict(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """The rival rule: overlapping ranges, or two insertions at the same point.

    Two ranges overlap when ``a_start <= b_end and b_start <= a_end``.  The
    same test, applied to an insertion point ``(k, k - 1)`` and a range
    ``s..e``, is true exactly when ``s < k <= e``: an insertion strictly
    inside a replaced block is a rival, one at its top edge or just below it
    is not.  Two insertion points conflict only when they are equal.
    """
    if is_insertion(a_start, a_end) and is_insertion(b_start, b_end):
        return a_start == b_start
    return a_start <= b_end and b_start <= a_end


def _check_no_rivals(changes: list[Change]) -> None:
    """Raise :class:`OverlapError` for the first pair of rival changes."""
    for a, b in itertools.combinations(changes, 2):
        if ranges_conflict(a.line_start, a.line_end, b.line_start, b.line_end):
            raise OverlapError(
                f"changes {a.line_start}..{a.line_end} and {b.line_start}..{b.line_end} overlap"
            )


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
        check_range(change.line_start, change.line_end, len(lines))
    _check_no_rivals(changes)
    for change in sorted(changes, key=lambda c: (c.line_start, c.line_end), reverse=True):
        lines[change.line_start - 1 : change.line_end] = split_lines(change.replacement)
    return normalize_body(join_lines(lines))


def rebase_change(old_body: str, new_body: str, change: Change) -> Change | None:
    """``change`` moved from ``old_body`` onto ``new_body`` (``None`` when outdated)."""
    moved = rebase_range(old_body, new_body, change.line_start, change.line_end)
    return None if moved is None else Change(moved[0], moved[1], change.replacement)
